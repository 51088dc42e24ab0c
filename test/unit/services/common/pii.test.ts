import { maskEmail, maskPersonalData, maskPhone } from '../../../../services/common/pii';

describe('maskEmail', () => {
  it.each([
    ['jane@example.com', 'j***@e***.com'],
    ['Jane.Doe@mail.example.co.uk', 'J***@m***.uk'],
    ['a@b.io', 'a***@b***.io'],
    ['x@localhost', 'x***@l***'],
    ['not-an-email', '***'],
    ['@example.com', '***'],
    ['jane@', '***'],
  ])('%s → %s', (email, masked) => {
    expect(maskEmail(email)).toBe(masked);
  });

  it('never contains the local part or the domain name', () => {
    const masked = maskEmail('secretperson@hiddencompany.com');

    expect(masked).not.toContain('secretperson');
    expect(masked).not.toContain('hiddencompany');
  });
});

describe('maskPhone', () => {
  it.each([
    ['+44770090089', '+44*******89'],
    ['+447700900123', '+44********23'],
    ['+15555550123', '+15*******23'],
    ['+1234567', '+12***67'],
    ['+123', '***'],
  ])('%s → %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });
});

describe('maskPersonalData (free text such as a provider error message)', () => {
  it.each([
    ['Invalid parameter: PhoneNumber Reason: +447700900123 is not valid', 'Invalid parameter: PhoneNumber Reason: +44********23 is not valid'],
    ['Email address is not verified: Jane.Doe@Example.com', 'Email address is not verified: J***@E***.com'],
    ['to <ravi@example.net>, cc "li.wei@example.org"', 'to <r***@e***.net>, cc "l***@e***.org"'],
    ['number 0044 7700 900123 rejected', 'number +00**********23 rejected'],
    ['no personal data here', 'no personal data here'],
    ['', ''],
    // Dates, times and short counts are not phone numbers.
    ['throttled at 2030-03-14T09:30:00Z after 1234567 requests', 'throttled at 2030-03-14T09:30:00Z after 1234567 requests'],
  ])('%j → %j', (text, masked) => {
    expect(maskPersonalData(text)).toBe(masked);
  });

  it('leaves no address or number of a message in clear, wherever it appears', () => {
    const text = 'MessageRejected: jane@example.com (+15555550123) and +44 7700 900 123, again jane@example.com';

    const masked = maskPersonalData(text);

    expect(masked).not.toMatch(/jane@|example\.com|5555550123|7700 900 123/);
    expect(masked.startsWith('MessageRejected: ')).toBe(true);
  });
});

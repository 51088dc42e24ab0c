import { maskEmail, maskPhone } from '../../../../services/shared/pii';

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

import { API_ROUTES } from '../../../../contracts/api-routes';
import { authorize, claimGroups, type Caller } from '../../../../services/booking/domain/access-policy';
import { HttpError } from '../../../../services/common/errors';

const APPOINTMENT = '8d2f6a4e-5b1c-4e8a-9f3d-2c7b1a0e9d42';
const OTHER_APPOINTMENT = '1b6f0c3e-2a4d-4f5e-8a9b-0c1d2e3f4a5b';
const EMAIL = 'jane.doe@example.com';

const CALLERS: Record<string, Caller> = {
  anonymous: { kind: 'anonymous' },
  malformed: { kind: 'rejected', reason: 'malformed' },
  forged: { kind: 'rejected', reason: 'invalid' },
  expired: { kind: 'rejected', reason: 'expired' },
  patient: { kind: 'patient', appointmentId: APPOINTMENT, email: EMAIL },
  otherPatient: { kind: 'patient', appointmentId: OTHER_APPOINTMENT, email: 'someone.else@example.com' },
  samePatientOtherBooking: { kind: 'patient', appointmentId: OTHER_APPOINTMENT, email: EMAIL },
  staff: { kind: 'staff', username: 'reception', groups: ['staff'] },
  staffWithoutGroup: { kind: 'staff', username: 'visitor', groups: [] },
};

/** The model of docs/security.md, stated as a table: what each caller gets on each kind of route. */
const EXPECTED: Record<'public' | 'patient' | 'staff', Record<keyof typeof CALLERS, 'allow' | 401 | 403>> = {
  public: { anonymous: 'allow', malformed: 'allow', forged: 'allow', expired: 'allow', patient: 'allow', otherPatient: 'allow', samePatientOtherBooking: 'allow', staff: 'allow', staffWithoutGroup: 'allow' },
  patient: { anonymous: 401, malformed: 401, forged: 401, expired: 401, patient: 'allow', otherPatient: 403, samePatientOtherBooking: 403, staff: 401, staffWithoutGroup: 401 },
  staff: { anonymous: 401, malformed: 401, forged: 401, expired: 401, patient: 401, otherPatient: 401, samePatientOtherBooking: 401, staff: 'allow', staffWithoutGroup: 403 },
};

function decision(access: 'public' | 'patient' | 'staff', caller: Caller, target: { appointmentId?: string; contactEmail?: string }): 'allow' | number {
  try {
    authorize(access, caller, target);
    return 'allow';
  } catch (error) {
    if (error instanceof HttpError) return error.statusCode;
    throw error;
  }
}

describe('the authorization decision, for every route and caller', () => {
  const cases = API_ROUTES.flatMap((route) => Object.keys(CALLERS).map((caller) => [`${route.method} ${route.path}`, route.access, caller] as const));

  it.each(cases)('%s (%s) × %s', (routeKey, access, callerName) => {
    // The patient's own targets: the appointment id or the address in the path.
    const target = routeKey.includes('{id}') ? { appointmentId: APPOINTMENT } : routeKey.includes('{email}') ? { contactEmail: EMAIL } : {};
    // A token of another booking to the same address proves that address: it may manage the
    // address's preference, but not the other appointment.
    const expected = callerName === 'samePatientOtherBooking' && access === 'patient' && 'contactEmail' in target ? 'allow' : EXPECTED[access][callerName];
    expect(decision(access, CALLERS[callerName]!, target)).toBe(expected);
  });

  it('401s carry a WWW-Authenticate challenge and say what to send; 403s say why', () => {
    const unauthorized = (() => {
      try {
        authorize('patient', CALLERS.anonymous!, {});
      } catch (error) {
        return error as HttpError;
      }
      throw new Error('expected a 401');
    })();
    expect(unauthorized.headers['www-authenticate']).toBe('Bearer');
    expect(unauthorized.message).toContain('Authorization: Bearer');
    expect(() => authorize('patient', CALLERS.patient!, { contactEmail: 'someone.else@example.com' })).toThrow('another address');
    expect(() => authorize('staff', CALLERS.staffWithoutGroup!, {})).toThrow('staff group');
  });

  it('a forged token and an unknown appointment get the same answer', () => {
    const answer = (caller: Caller): string => {
      try {
        authorize('patient', caller, { appointmentId: APPOINTMENT });
        return 'allow';
      } catch (error) {
        const httpError = error as HttpError;
        return `${httpError.statusCode} ${httpError.code} ${httpError.message}`;
      }
    };
    // identify-caller returns `rejected: invalid` both for a bad signature and for an id with no appointment.
    expect(answer({ kind: 'rejected', reason: 'invalid' })).toMatch(/^401 Unauthorized/);
  });
});

describe('cognito:groups as API Gateway passes it', () => {
  it.each([
    ['staff', ['staff']],
    ['[staff, admin]', ['staff', 'admin']],
    ['staff,admin', ['staff', 'admin']],
    ['[]', []],
    ['', []],
  ])('%j', (value, groups) => {
    expect(claimGroups(value)).toEqual(groups);
  });

  it('takes arrays and ignores other types', () => {
    expect(claimGroups(['staff', 3])).toEqual(['staff']);
    expect(claimGroups(undefined)).toEqual([]);
    expect(claimGroups({ staff: true })).toEqual([]);
  });
});

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export interface AppointmentTime {
  /** e.g. `Thursday 14 March 2030` */
  date: string;
  /** e.g. `Thu 14 Mar 2030` */
  shortDate: string;
  /** 24-hour wall-clock time in the appointment's own offset, e.g. `09:30` */
  time: string;
  /** e.g. `UTC+01:00`, or `UTC` for Z / +00:00 */
  zone: string;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):\d{2}(?:\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * The appointment's date and time as the patient will live it: the wall-clock time written in the
 * booking, in the booking's own offset (never converted to the server's zone, which in Lambda is UTC).
 */
export function describeAppointmentTime(dateTime: string): AppointmentTime {
  const match = RFC3339.exec(dateTime);
  if (!match) throw new Error(`appointmentDateTime ${JSON.stringify(dateTime)} is not an RFC 3339 date-time with an offset`);
  const [, year, month, day, hour, minute, offset] = match as unknown as [string, string, string, string, string, string, string];
  const weekday = WEEKDAYS[new Date(Date.UTC(Number(year), Number(month) - 1, Number(day))).getUTCDay()]!;
  const monthName = MONTHS[Number(month) - 1]!;
  const zone = /^[Zz]$|^[+-]00:00$/.test(offset) ? 'UTC' : `UTC${offset}`;
  return {
    date: `${weekday} ${Number(day)} ${monthName} ${year}`,
    shortDate: `${weekday.slice(0, 3)} ${Number(day)} ${monthName.slice(0, 3)} ${year}`,
    time: `${hour}:${minute}`,
    zone,
  };
}

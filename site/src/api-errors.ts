/** The one shape every failed API call takes on the pages, and where its details are shown. */

export interface ApiError {
  /** HTTP status, 0 when the API could not be reached. */
  status: number;
  code: string;
  message: string;
  details: string[];
  requestId?: string;
}

/**
 * The API names a field at the start of each detail (`/email must match format "email"`,
 * `/phoneNumber is required`): those go beside their field, the rest into the form's summary.
 */
export function fieldErrorsOf(error: ApiError, fields: readonly string[]): { byField: Record<string, string>; other: string[] } {
  const byField: Record<string, string> = {};
  const other: string[] = [];
  for (const detail of error.details) {
    const match = /^\/([A-Za-z]+)\s+(.*)$/.exec(detail);
    const field = match?.[1];
    if (match && field && fields.includes(field)) {
      byField[field] = byField[field] ? `${byField[field]}; ${match[2]}` : (match[2] ?? detail);
    } else {
      other.push(detail);
    }
  }
  return { byField, other };
}

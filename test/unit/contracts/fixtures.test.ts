import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { validateContract } from '../../../contracts';
import { FIXTURES_DIR, listFixtures } from '../../fixtures/load-fixture';

describe('fixtures', () => {
  const fixtures = listFixtures();

  it('cover every contract', () => {
    const covered = new Set(fixtures.map((fixture) => fixture.contract));
    expect([...covered].sort()).toEqual(
      ['appointment', 'appointmentRequest', 'contact', 'contactRequest', 'enrichedAppointment', 'errorResponse', 'notificationResult'],
    );
  });

  it.each(fixtures)('$file is a valid $contract', ({ file, contract }) => {
    const data: unknown = JSON.parse(readFileSync(path.join(FIXTURES_DIR, file), 'utf8'));

    expect(validateContract(contract, data)).toEqual([]);
  });
});

import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import { AppError, notFound } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import type { CallingEngine } from '../calling/calling.service';
import { deletePeople, keepErasedNumber, lockPersonForErasure, organisationOfPerson } from '../lists/lists.service';
import { authorize } from '../organisations/organisations.service';

// Erasure (GDPR Art. 17): a person is removed everywhere Ringa holds them — the person, their list
// memberships, their places in every campaign's queue (a caller holding them is told at once), the personal
// content of their calls (answers, notes, note for the next caller, flag note, callback time; the calls
// stay, tied to no one, so every figure stays the same), the phone line's records of whom a call was for,
// and the rows of import problem reports that quote their number or name. A number on the do-not-call
// register stays there (the objection must be honoured) as an erasure request and nothing else.

export interface ErasureDeps {
  db: Database;
  clock: Clock;
  calling: CallingEngine;
}

export interface Erased {
  personId: number;
  keptOnDoNotCall: boolean;
}

/** An organizer or admin of the person's organisation or above erases them; anyone else finds no such person. */
export async function erasePersonAs(deps: ErasureDeps, userId: string, personId: number, options: { keepOffCalls: boolean }): Promise<Erased> {
  const organisationId = await organisationOfPerson(deps.db, personId);
  if (!organisationId) throw notFound('The person');
  try {
    await authorize(deps.db, userId, organisationId, 'organizer');
  } catch (error) {
    // A caller learns nothing, not even that the person exists.
    if (error instanceof AppError && (error.statusCode === 403 || error.statusCode === 404)) throw notFound('The person');
    throw error;
  }
  return erasePerson(deps, userId, personId, options);
}

/**
 * Erases a person in one transaction; `actorUserId` is null when an operator does it from the command line.
 * With `keepOffCalls` the number is put on (or kept on) the organisation's do-not-call register.
 */
export async function erasePerson(deps: ErasureDeps, actorUserId: string | null, personId: number, options: { keepOffCalls: boolean }): Promise<Erased> {
  const { announce, keptOnDoNotCall } = await deps.db.transaction().execute(async (trx) => {
    const person = await lockPersonForErasure(trx, personId);
    if (!person) throw notFound('The person');
    const now = deps.clock.now();
    const announce = await deps.calling.withdrawPeople(trx, [person.id]);
    const kept = await keepErasedNumber(trx, person.organisationId, person.phone, options.keepOffCalls, now);
    await deletePeople(trx, person.organisationId, [person]);
    await recordAudit(trx, { at: now, action: 'person.erased', organisationId: person.organisationId, actorUserId, details: { personId: person.id, keptOnDoNotCall: kept } });
    return { announce, keptOnDoNotCall: kept };
  });
  announce();
  return { personId, keptOnDoNotCall };
}

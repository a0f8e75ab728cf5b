/** People as the dashboard names them: an actor's name (the local single-user mode's is "the local user"), and lists of them with their roles. */
import type { ActorRef } from './api/schemas';

/** "A, B and C" (or "A, B, or C"): lists said as a sentence says them. */
export const AND = new Intl.ListFormat('en', { style: 'long', type: 'conjunction' });
export const OR = new Intl.ListFormat('en', { style: 'long', type: 'disjunction' });

/** An actor as a decision names them; the local single-user mode's actor is whoever runs it. */
export const nameOf = (actor: ActorRef): string => (actor.id === 'local' ? 'the local user' : actor.name);

/** "Ana (buyer) and Ben (merchandiser)": people with the role each acted in, when known. */
export const people = (who: readonly { actor: ActorRef; role?: string | null | undefined }[]): string =>
  AND.format(who.map(({ actor, role }) => (role ? `${nameOf(actor)} (${role})` : nameOf(actor))));

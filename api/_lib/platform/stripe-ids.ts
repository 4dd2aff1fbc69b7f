// Stripe's expandable fields hold the object when the request expanded them and its id otherwise
// (a session's `payment_intent`, an intent's `latest_charge`, a dispute's `charge`).
type Expandable<T extends { id: string }> = string | T | null | undefined;

/** The id an expandable field refers to, expanded or not. */
export function idOf<T extends { id: string }>(field: Expandable<T>): string | null {
  return typeof field === 'string' ? field : (field?.id ?? null);
}

/** The object of an expandable field that was expanded; null when it holds only an id (or nothing). */
export function expanded<T extends { id: string }>(field: Expandable<T>): T | null {
  return field && typeof field === 'object' ? field : null;
}

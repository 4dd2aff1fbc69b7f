/**
 * Stripe's documented test card numbers and what each does here.
 * https://docs.stripe.com/testing
 */
export type CardBehaviour =
  | { kind: 'succeed'; dispute?: boolean; refundFails?: boolean }
  | { kind: 'decline'; code: string; decline_code?: string; message: string }
  | { kind: 'authenticate' };

export interface TestCard {
  number: string;
  brand: string;
  last4: string;
  behaviour: CardBehaviour;
}

const GENERIC_DECLINE = {
  kind: 'decline',
  code: 'card_declined',
  decline_code: 'generic_decline',
  message: 'Your card was declined.',
} as const;

const SPECIAL: Record<string, CardBehaviour> = {
  '4000000000000002': GENERIC_DECLINE,
  '4000000000009995': {
    kind: 'decline',
    code: 'card_declined',
    decline_code: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
  '4000000000009987': {
    kind: 'decline',
    code: 'card_declined',
    decline_code: 'lost_card',
    message: 'Your card was declined.',
  },
  '4000000000000069': { kind: 'decline', code: 'expired_card', message: 'Your card has expired.' },
  '4000000000000127': { kind: 'decline', code: 'incorrect_cvc', message: "Your card's security code is incorrect." },
  '4000000000000119': {
    kind: 'decline',
    code: 'processing_error',
    message: 'An error occurred while processing your card. Try again in a little bit.',
  },
  '4000000000003220': { kind: 'authenticate' },
  '4000002500003155': { kind: 'authenticate' },
  '4000000000000259': { kind: 'succeed', dispute: true },
  '4000000000005126': { kind: 'succeed', refundFails: true },
};

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function brandOf(digits: string): string {
  if (digits.startsWith('4')) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^6(011|5)/.test(digits)) return 'discover';
  if (/^35/.test(digits)) return 'jcb';
  if (/^3(0|6|8)/.test(digits)) return 'diners';
  if (/^62/.test(digits)) return 'unionpay';
  return 'unknown';
}

/** The test card for a typed number, or the message Checkout shows for a bad number. */
export function lookupCard(input: string): TestCard | { error: string } {
  const digits = input.replace(/[\s-]/g, '');
  if (!/^\d{13,19}$/.test(digits) || !luhnValid(digits)) return { error: 'Your card number is invalid.' };
  return {
    number: digits,
    brand: brandOf(digits),
    last4: digits.slice(-4),
    // Any other valid number behaves like 4242 4242 4242 4242.
    behaviour: SPECIAL[digits] ?? { kind: 'succeed' },
  };
}

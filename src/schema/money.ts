/** Money: an amount in minor units (as Klarna sends it, 64-bit safe) with its currency. */
import { builder } from './builder.ts';

export interface MoneyShape {
  amount: number;
  currency: string;
}

/** ISO 4217 currencies whose minor unit is not a hundredth. */
const EXPONENTS: Record<string, number> = { JPY: 0, KRW: 0, ISK: 0, CLP: 0, VND: 0, HUF: 2, BHD: 3, KWD: 3, JOD: 3, OMR: 3, TND: 3 };

export const money = (amount: number | null | undefined, currency: string | null | undefined): MoneyShape | null =>
  amount == null || !currency ? null : { amount, currency };

export const MoneyRef = builder.objectRef<MoneyShape>('Money').implement({
  description: 'An amount of money in minor units (cents for EUR) with its ISO 4217 currency. Negative amounts are debits.',
  fields: (t) => ({
    amount: t.field({ type: 'Long', description: 'Amount in minor units, e.g. 78743 for 787.43 EUR.', resolve: (m) => m.amount }),
    currency: t.exposeString('currency', { description: 'ISO 4217 currency code.' }),
    decimal: t.string({
      description: 'The amount in major units as a decimal string, e.g. "787.43" (exact, no floating point).',
      resolve: ({ amount, currency }) => {
        const exponent = EXPONENTS[currency.toUpperCase()] ?? 2;
        const digits = Math.abs(amount).toString().padStart(exponent + 1, '0');
        const whole = exponent ? digits.slice(0, -exponent) : digits;
        const fraction = exponent ? `.${digits.slice(-exponent)}` : '';
        return `${amount < 0 ? '-' : ''}${whole}${fraction}`;
      },
    }),
  }),
});

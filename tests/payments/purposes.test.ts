import { describe, expect, it } from 'vitest';
import {
  PAYMENT_PURPOSES,
  PaymentPurposes,
  UnhandledPurposeError,
  targetColumns,
  targetFromMetadata,
  targetMetadata,
  type PaymentTarget,
  type PurposeHandler,
} from '../../src/payments/purposes';

const handler = (name: string): PurposeHandler<any> & { name: string } => ({
  name,
  find: async () => ({ currency: 'USD', amountDueCents: 0 }),
  paid: async () => undefined,
});

describe('PaymentPurposes registry', () => {
  it('hands each purpose to the handler registered for it', () => {
    const purposes = new PaymentPurposes();
    const order = handler('order');
    const buyout = handler('buyout');
    purposes.register('order', order).register('buyout', buyout);
    expect(purposes.handlerFor('order')).toBe(order);
    expect(purposes.handlerFor('buyout')).toBe(buyout);
    expect(purposes.registered()).toEqual(['order', 'buyout']);
  });

  it('refuses a purpose nobody registered, and one that is not a purpose at all', () => {
    const purposes = new PaymentPurposes().register('order', handler('order'));
    for (const purpose of ['installment', 'late_fee', 'reinstatement', 'gift_card', '', undefined, null, 3]) {
      expect(() => purposes.handlerFor(purpose), String(purpose)).toThrow(UnhandledPurposeError);
    }
  });

  it('one handler per purpose, and only the known purposes', () => {
    const purposes = new PaymentPurposes().register('installment', handler('first'));
    expect(() => purposes.register('installment', handler('second'))).toThrow(/already handled/);
    expect(purposes.handlerFor('installment')).toMatchObject({ name: 'first' });
    expect(() => purposes.register('gift_card' as 'order', handler('gift'))).toThrow(UnhandledPurposeError);
  });

  it('each app builds its own registry: a registration does not leak into another', () => {
    const a = new PaymentPurposes().register('late_fee', handler('a'));
    const b = new PaymentPurposes();
    expect(a.handlerFor('late_fee')).toMatchObject({ name: 'a' });
    expect(() => b.handlerFor('late_fee')).toThrow(UnhandledPurposeError);
  });
});

describe('what a payment pays, in metadata and columns', () => {
  const targets: PaymentTarget[] = [
    { purpose: 'order', orderId: 12 },
    { purpose: 'installment', rentalId: 3, installmentId: 7 },
    { purpose: 'late_fee', rentalId: 3, installmentId: 8 },
    { purpose: 'buyout', rentalId: 4, installmentId: null },
    { purpose: 'reinstatement', rentalId: 5, installmentId: null },
  ];

  it('metadata names the target and reads back as the same target', () => {
    for (const t of targets) expect(targetFromMetadata(targetMetadata(t))).toEqual(t);
    expect(targetMetadata({ purpose: 'installment', rentalId: 3, installmentId: 7 })).toEqual({ purpose: 'installment', rental_id: '3', rental_installment_id: '7' });
  });

  it('metadata without a purpose is an order (sessions opened before payments had one)', () => {
    expect(targetFromMetadata({ order_id: '41', order_number: 'GG-1' })).toEqual({ purpose: 'order', orderId: 41 });
  });

  it('missing or unusable ids name nothing; an unknown purpose is refused', () => {
    for (const meta of [undefined, null, {}, { order_id: '0' }, { order_id: 'x' }, { order_id: '1.5' }, { purpose: 'buyout' }, { purpose: 'installment', order_id: '3' }]) {
      expect(targetFromMetadata(meta), JSON.stringify(meta)).toBeNull();
    }
    expect(() => targetFromMetadata({ purpose: 'gift_card', order_id: '3' })).toThrow(UnhandledPurposeError);
  });

  it('the payments row records the purpose with the order or the rental and installment', () => {
    expect(targetColumns({ purpose: 'order', orderId: 12 })).toEqual({ purpose: 'order', order_id: 12, rental_id: null, rental_installment_id: null });
    expect(targetColumns({ purpose: 'installment', rentalId: 3, installmentId: 7 })).toEqual({ purpose: 'installment', order_id: null, rental_id: 3, rental_installment_id: 7 });
    expect(targetColumns({ purpose: 'buyout', rentalId: 4 })).toEqual({ purpose: 'buyout', order_id: null, rental_id: 4, rental_installment_id: null });
  });

  it('covers every value the purpose column holds', () => {
    expect([...PAYMENT_PURPOSES].sort()).toEqual(['buyout', 'installment', 'late_fee', 'order', 'reinstatement']);
  });
});

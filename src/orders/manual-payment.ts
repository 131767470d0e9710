import type { SettingsService } from '../settings/service';

/**
 * How a customer pays an order by hand, from the store's settings: the bank
 * account for a transfer and the pickup address for paying on collection.
 * Shown with the amount and the order number to quote, on the confirmation
 * page, the order page and the order e-mail.
 */
export interface ManualPaymentDetails {
  bankTransfer: { accountName: string; bankName: string; routingNumber: string; accountNumber: string; swift: string | null } | null;
  pickup: { address: string; hours: string } | null;
  /** Where to ask when neither is set up yet. */
  contactEmail: string;
}

export async function manualPaymentDetails(settings: SettingsService): Promise<ManualPaymentDetails> {
  const [bank, pickup, store] = await Promise.all([settings.get('bank_transfer'), settings.get('pickup'), settings.get('store')]);
  return {
    bankTransfer: bank
      ? { accountName: bank.account_name, bankName: bank.bank_name, routingNumber: bank.routing_number, accountNumber: bank.account_number, swift: bank.swift || null }
      : null,
    pickup: pickup ? { address: pickup.address, hours: pickup.hours } : null,
    contactEmail: store.email,
  };
}

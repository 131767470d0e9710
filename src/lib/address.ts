/** A postal address as orders snapshot it and the address book keeps it (one shape for both). */
export interface ShippingAddress {
  firstName: string;
  lastName: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  phone: string | null;
}

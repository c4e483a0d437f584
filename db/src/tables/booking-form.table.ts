import type { Insertable, Selectable } from 'kysely';

export interface BookingFormTable {
  service_id: number;
  version: number;
  merchant_id: number;
  /** JSON array of form fields (core/src/forms/definition.ts). */
  fields: string;
  created_by: number | null;
  created_at: Date;
}

export interface BookingAnswerTable {
  booking_id: string;
  service_id: number;
  form_version: number;
  /** `<keyId>.<base64url(iv | tag | ciphertext)>` (core/src/forms/seal.ts). */
  sealed: string;
  created_at: Date;
}

export type BookingFormRow = Selectable<BookingFormTable>;
export type NewBookingAnswer = Insertable<BookingAnswerTable>;

/**
 * An industry template: everything a new store of that industry needs to take
 * bookings on its first day, as plain data. Applying one (lifecycle/apply-template.ts)
 * writes it in one MySQL transaction; nothing here does I/O.
 */
import type { IndustryCode } from '../catalog/industries.ts';
import type { AllocationStrategy } from '../allocation/strategy.ts';
import type { Requirement, ResourceKind } from '../catalog/types.ts';
import type { FormFieldInput } from '../forms/definition.ts';
import type { PaymentPolicy } from '../payments/policy.ts';

/** `[ISO weekday 1–7, 'HH:MM', 'HH:MM']`, local wall-clock time; '24:00' closes at midnight. */
export type WeeklyWindow = readonly [weekday: number, open: string, close: string];

export interface TemplateResourceUnit {
  name: string;
  title?: string;
  /** This unit's skills; the type's `skills` are added to every unit. */
  skills?: readonly string[];
  /** Own weekly hours (e.g. a stylist off on Mondays); absent = the store's hours. */
  weeklyHours?: readonly WeeklyWindow[];
  /** Round-robin weight and daily cap of this unit (allocation settings); absent = weight 1, no cap. */
  allocation?: { weight: number; dailyCap: number | null };
}

/** A kind of resource the store has, with one entry per unit (the count is `units.length`). */
export interface TemplateResourceType {
  key: string;
  kind: ResourceKind;
  /** Chinese name of the type, e.g. 发型师, 洗头床. */
  label: string;
  /** Units per cell: 1 for a person, chair or table; 20 for a studio with 20 mats. */
  capacity: number;
  skills: readonly string[];
  units: readonly TemplateResourceUnit[];
}

/** What a service charges online; the template's cancellation rules are added to it. */
export type TemplatePayment = Pick<PaymentPolicy, 'mode'> & Partial<Omit<PaymentPolicy, 'mode'>>;

export interface TemplateService {
  key: string;
  name: string;
  category: string;
  description: string;
  durationMinutes: number;
  /** Integer fen (¥88 = 8800); per person when a requirement is per person. */
  priceFen: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  slotIntervalMinutes: number;
  minNoticeMinutes: number;
  maxPartySize: number;
  requirements: readonly Requirement[];
  /** Online payment; absent = pay at the store (the cancellation rules still apply). */
  payment?: TemplatePayment;
  /** Booking form fields, as a merchant would PUT them. */
  form?: readonly FormFieldInput[];
  /** A valid filled-in form: shown as an example, and what tests book with. */
  sampleAnswers?: Readonly<Record<string, unknown>>;
}

export interface TemplateNotifications {
  /** Reminders this many minutes before the start (at most 4). */
  reminderOffsetsMinutes: readonly number[];
  /** No SMS between these local minutes of the day unless the appointment comes first. */
  quietHours: { startMinute: number; endMinute: number };
  reviewDelayMinutes: number;
  digestMinute: number;
  smsEnabled: boolean;
  subscribeEnabled: boolean;
}

export interface TemplateCancellation {
  freeCancelHours: number;
  lateCancelFeePercent: number;
  noShowFeePercent: number;
}

/** A table mode whose tables and pacing resource are units of the template, by unit name. */
export interface TemplateTableMode {
  tables: readonly { unit: string; minSeats: number; maxSeats: number }[];
  combinations: readonly { units: readonly string[]; minSeats: number; maxSeats: number }[];
  turnTimes: readonly { maxParty: number; minutes: number }[];
  maxExtraSeats: number;
  pacing: { unit: string; maxCovers: number } | null;
}

export interface IndustryTemplate {
  key: string;
  /** Chinese name, e.g. 美发沙龙. */
  name: string;
  /** stores.industry of a store made from it: one of core/src/catalog/industries.ts, which has its label. */
  industry: IndustryCode;
  description: string;
  /** 5 or 15; every duration, buffer and slot interval is a multiple of it. */
  cellMinutes: number;
  horizonDays: number;
  perCustomerDailyLimit: number;
  weeklyHours: readonly WeeklyWindow[];
  resourceTypes: readonly TemplateResourceType[];
  services: readonly TemplateService[];
  cancellation: TemplateCancellation;
  notifications: TemplateNotifications;
  allocation: AllocationStrategy;
  /** Restaurant table mode (core/src/restaurant): tables, combinations and the pacing resource named by unit name. */
  tableMode?: TemplateTableMode;
  /** What the template cannot express yet, said plainly. */
  limitations?: readonly string[];
}

import type { ResourceAllocationSettingsTable, StoreAllocationSettingsTable } from './tables/allocation.table.ts';
import type { AuditLogTable, MerchantMemberTable, ServicePrioritySettingsTable, StoreBookingLimitsTable } from './tables/priority.table.ts';
import type { BookingCellTable, BookingEventTable, BookingTable } from './tables/booking.table.ts';
import type { BookingAnswerTable, BookingFormTable } from './tables/booking-form.table.ts';
import type { CustomerTable } from './tables/customer.table.ts';
import type {
  LedgerEntryTable,
  PaymentNotificationTable,
  PaymentOrderTable,
  PaymentPolicyTable,
  PaymentReconciliationTable,
  RefundTable,
} from './tables/payment.table.ts';
import type {
  NoticeTable,
  NotificationCursorTable,
  NotificationOptoutTable,
  NotificationSettingsTable,
  NotificationTable,
  NotificationTemplateTable,
  SubscribeConsentEventTable,
  SubscribeConsentTable,
} from './tables/notification.table.ts';
import type { InventoryCellTable } from './tables/inventory-cell.table.ts';
import type { MerchantTable } from './tables/merchant.table.ts';
import type { ResourceSkillTable, ResourceTable } from './tables/resource.table.ts';
import type { ReviewTable } from './tables/review.table.ts';
import type { OpeningHoursTable, ScheduleExceptionTable } from './tables/schedule.table.ts';
import type { ServiceRequirementTable, ServiceTable } from './tables/service.table.ts';
import type { ServiceResourceDurationTable } from './tables/service-duration.table.ts';
import type { StaffUserTable } from './tables/staff-user.table.ts';
import type { StoreTable } from './tables/store.table.ts';
import type { WaitlistEntryTable } from './tables/waitlist.table.ts';
import type { StoreTableModeTable } from './tables/table-mode.table.ts';

export interface Database {
  merchants: MerchantTable;
  stores: StoreTable;
  resources: ResourceTable;
  resource_skills: ResourceSkillTable;
  services: ServiceTable;
  service_requirements: ServiceRequirementTable;
  opening_hours: OpeningHoursTable;
  schedule_exceptions: ScheduleExceptionTable;
  inventory_cells: InventoryCellTable;
  customers: CustomerTable;
  staff_users: StaffUserTable;
  bookings: BookingTable;
  booking_cells: BookingCellTable;
  booking_events: BookingEventTable;
  booking_forms: BookingFormTable;
  booking_answers: BookingAnswerTable;
  reviews: ReviewTable;
  payment_policies: PaymentPolicyTable;
  payment_orders: PaymentOrderTable;
  refunds: RefundTable;
  ledger_entries: LedgerEntryTable;
  payment_notifications: PaymentNotificationTable;
  payment_reconciliations: PaymentReconciliationTable;
  notification_settings: NotificationSettingsTable;
  notification_templates: NotificationTemplateTable;
  notifications: NotificationTable;
  notices: NoticeTable;
  subscribe_consents: SubscribeConsentTable;
  subscribe_consent_events: SubscribeConsentEventTable;
  notification_optouts: NotificationOptoutTable;
  notification_cursors: NotificationCursorTable;
  store_allocation_settings: StoreAllocationSettingsTable;
  resource_allocation_settings: ResourceAllocationSettingsTable;
  waitlist_entries: WaitlistEntryTable;
  store_table_modes: StoreTableModeTable;
  merchant_members: MerchantMemberTable;
  service_priority_settings: ServicePrioritySettingsTable;
  store_booking_limits: StoreBookingLimitsTable;
  audit_log: AuditLogTable;
  service_resource_durations: ServiceResourceDurationTable;
}

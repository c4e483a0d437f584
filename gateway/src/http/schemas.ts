import { z } from 'zod';

import { BookingStatuses } from '../../../core/src/booking/state-machine.ts';
import { ErrorCodes } from '../../../core/src/errors.ts';
import { cleanReviewText, REVIEW_TEXT_MAX_CHARS, reviewTextLength } from '../../../core/src/reviews/review-input.ts';
import { MAX_RATING, MIN_RATING, RATING_PRIOR_MEAN, RATING_PRIOR_WEIGHT } from '../../../core/src/reviews/score.ts';
import { isLocalDate } from '../../../core/src/time/zoned.ts';
import { AnswerViewSchema } from '../forms/form-schemas.ts';

// Validation messages reach users: Simplified Chinese by default.
z.config(z.locales.zhCN());

/** Request and response shapes of the public API; the OpenAPI document is generated from these. */

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(ErrorCodes),
      message: z.string().meta({ description: 'User-facing text, Simplified Chinese unless Accept-Language asks for English' }),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });

const id = z.coerce.number().int().positive().max(2 ** 53 - 1);
const bodyId = z.number().int().positive().max(2 ** 53 - 1);
export const LocalDate = z.string().refine(isLocalDate, '日期格式应为 YYYY-MM-DD').meta({ example: '2026-12-02' });

export const IdParams = z.object({ id });
export const BookingIdParams = z.object({ id: z.string().max(48) });

export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string({ error: '缺少 Idempotency-Key 请求头' })
    .regex(/^[A-Za-z0-9_-]{8,64}$/, 'Idempotency-Key 须为 8–64 位字母、数字、_ 或 -')
    .meta({ description: 'One key per booking attempt; a retry with the same key and body returns the first answer' }),
});

export const CreateBookingBody = z
  .object({
    storeId: bodyId,
    serviceId: bodyId,
    startAt: z.iso.datetime({ offset: true, error: 'startAt 须为带时区的 ISO 8601 时间' }).meta({ example: '2026-12-02T10:00:00+08:00' }),
    partySize: z.number().int().min(1).max(100).default(1),
    resourceId: bodyId.optional().meta({ description: 'Chosen staff member or room; omit for "any"' }),
    note: z.string().trim().max(200).default(''),
    answers: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: 'Booking-form answers by field key (GET /v1/stores/{id}/services/{serviceId}/booking-form); checked before anything is reserved' }),
  })
  .strict()
  .meta({ id: 'CreateBooking' });

export const BookingAcceptedSchema = z
  .object({ bookingId: z.string(), status: z.enum(BookingStatuses) })
  .meta({ id: 'BookingAccepted', example: { bookingId: '01KB3W8Z9Q4V7T2M5N6P8R0S1X-7', status: 'PENDING' } });

export const BookingViewSchema = z
  .object({
    bookingId: z.string(),
    status: z.enum(BookingStatuses),
    statusLabel: z.string(),
    reason: z.string().nullable(),
    merchantId: z.number(),
    storeId: z.number(),
    serviceId: z.number(),
    resourceId: z.number().nullable(),
    startAt: z.string(),
    endAt: z.string(),
    localDate: z.string(),
    partySize: z.number(),
    priceFen: z.number().meta({ description: 'Integer fen (分)' }),
    note: z.string(),
    acceptedAt: z.string(),
    updatedAt: z.string(),
    amountDueFen: z.number().meta({ description: 'What must be paid online before the booking is confirmed (0 = pay at the store), fen' }),
    paymentDueAt: z.string().nullable().meta({ description: 'Pay before this instant or the slot is released' }),
    checkinCode: z.string().nullable().meta({ description: 'One-time check-in code (核销码), shown to the customer once confirmed' }),
    offerExpiresAt: z.string().nullable().optional().meta({ description: 'A waitlist offer (status OFFERED): accept or decline before this instant' }),
    payment: z
      .object({
        status: z.enum(['UNPAID', 'CREATED', 'PAID', 'CLOSED']),
        amountFen: z.number(),
        paidAt: z.string().nullable(),
        refundedFen: z.number(),
        refunds: z.array(z.object({ amountFen: z.number(), status: z.string(), reason: z.string(), createdAt: z.string() })),
      })
      .nullable()
      .optional()
      .meta({ description: 'Online payment of the booking (single-booking reads only); null when it is paid at the store' }),
    answers: z.array(AnswerViewSchema).optional().meta({ description: 'Booking-form answers with the labels of the form version they were given against (single-booking reads)' }),
  })
  .meta({ id: 'Booking' });

export const MerchantBookingViewSchema = BookingViewSchema.extend({
  checkinCode: z.null().meta({ description: 'Never shown to staff: the customer presents it' }),
  customer: z.object({ id: z.number(), phoneMasked: z.string().nullable() }),
}).meta({ id: 'MerchantBooking' });

export const RescheduleBody = z
  .object({
    startAt: z.iso.datetime({ offset: true, error: 'startAt 须为带时区的 ISO 8601 时间' }).meta({ example: '2026-12-03T14:00:00+08:00' }),
    resourceId: bodyId.optional().meta({ description: 'Another staff member or room; omit to keep the current one when free at the new time (else anyone qualified)' }),
  })
  .strict()
  .meta({ id: 'RescheduleBooking' });

export const CancelBody = z.object({ reason: z.string().trim().max(64).default('CUSTOMER_REQUEST') }).strict();

export const AvailabilityQuery = z
  .object({
    serviceId: id,
    date: LocalDate,
    resourceId: id.optional(),
  })
  .strict();

export const AvailabilitySchema = z
  .object({
    storeId: z.number(),
    serviceId: z.number(),
    date: z.string(),
    timezone: z.string(),
    slots: z.array(
      z.object({
        startAt: z.string(),
        endAt: z.string(),
        localTime: z.string().meta({ example: '10:30' }),
        remaining: z.number().meta({ description: 'Bookings (persons, for per-person services) that still fit; 0 = full' }),
        resources: z.array(z.object({ resourceId: z.number(), remaining: z.number() })),
      }),
    ),
  })
  .meta({ id: 'Availability' });

const latitude = z.coerce.number().min(-90).max(90).meta({ description: 'Latitude of the customer (WGS84, as wx.getLocation type wgs84 reports it)', example: 31.2304 });
const longitude = z.coerce.number().min(-180).max(180).meta({ description: 'Longitude of the customer; give lat and lng together', example: 121.4737 });

/** lat and lng come together or not at all. */
function bothOrNeitherCoordinate(value: { lat?: number | undefined; lng?: number | undefined }, ctx: z.RefinementCtx): void {
  if ((value.lat === undefined) !== (value.lng === undefined)) {
    ctx.addIssue({ code: 'custom', path: [value.lat === undefined ? 'lat' : 'lng'], message: '经纬度需同时提供 lat 和 lng' });
  }
}

export const STORE_SEARCH_MAX_CHARS = 32;

export const StoreListQuery = z
  .object({
    q: z
      .string()
      .trim()
      .max(STORE_SEARCH_MAX_CHARS)
      .optional()
      .meta({ description: 'Search text: the store name, its industry label (美发…) or the name or category of one of its active services contains it', example: '剪发' }),
    industry: z.string().max(32).optional(),
    lat: latitude.optional(),
    lng: longitude.optional(),
    maxDistanceKm: z.coerce.number().positive().max(500).optional().meta({ description: 'Only stores at most this far from lat/lng (needs both)' }),
    sort: z
      .enum(['id', 'rating', 'distance'])
      .default('id')
      .meta({ description: 'rating: by rating.score descending; distance: nearest first (needs lat and lng); then id' }),
    minRating: z.coerce
      .number()
      .min(MIN_RATING)
      .max(MAX_RATING)
      .optional()
      .meta({ description: 'Only stores with reviews whose rating.score (unrounded) is at least this' }),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    offset: z.coerce.number().int().min(0).max(100_000).default(0),
  })
  .strict()
  .superRefine((value, ctx) => {
    bothOrNeitherCoordinate(value, ctx);
    if (value.lat === undefined && value.lng === undefined) {
      if (value.sort === 'distance') ctx.addIssue({ code: 'custom', path: ['sort'], message: '按距离排序需要提供位置（lat 和 lng）' });
      if (value.maxDistanceKm !== undefined) ctx.addIssue({ code: 'custom', path: ['maxDistanceKm'], message: '按距离筛选需要提供位置（lat 和 lng）' });
    }
  });

export const StoreRatingSchema = z
  .object({
    average: z.number().nullable().meta({ description: 'Mean rating, one decimal; null without reviews' }),
    count: z.number(),
    score: z.number().meta({
      description: `Bayesian score search ranks by, two decimals: (${RATING_PRIOR_WEIGHT} × ${RATING_PRIOR_MEAN} + sum of ratings) / (${RATING_PRIOR_WEIGHT} + count)`,
    }),
  })
  .meta({ id: 'StoreRating' });

export const StaffRatingSchema = z
  .object({ average: z.number().nullable(), count: z.number() })
  .meta({ id: 'StaffRating', description: 'Staff ratings from reviews; average has one decimal, null without ratings' });

export const StoreSummarySchema = z
  .object({
    id: z.number(),
    merchantId: z.number(),
    name: z.string(),
    industry: z.string(),
    industryLabel: z.string().meta({ description: 'Chinese name of the industry (美发, 口腔…); 其他 for one the platform does not list', example: '美发' }),
    address: z.string(),
    lat: z.number(),
    lng: z.number(),
    timezone: z.string(),
    rating: StoreRatingSchema,
    distanceMeters: z.number().int().optional().meta({ description: 'Great-circle distance from lat/lng, metres; only when the request gave a location' }),
  })
  .meta({ id: 'StoreSummary' });

export const ServicePaymentSchema = z
  .object({
    mode: z.enum(['none', 'deposit', 'full']),
    amountFen: z.number().nullable().meta({ description: 'What is paid online for one person at the listed price (null = pay at the store)' }),
    appliesTo: z.enum(['all', 'new_customers', 'prior_no_shows', 'amount_above']),
    freeCancelHours: z.number(),
  })
  .meta({ id: 'ServicePayment', description: 'How the service is paid, so the booking flow can announce a deposit before the customer books' });

export const StoreDetailSchema = StoreSummarySchema.extend({
  services: z.array(
    z.object({
      id: z.number(),
      name: z.string(),
      category: z.string(),
      durationMinutes: z.number(),
      priceFen: z.number(),
      maxPartySize: z.number(),
      pricedPerPerson: z.boolean().meta({ description: 'true: the price is per person and multiplies by partySize' }),
      payment: ServicePaymentSchema,
    }),
  ),
  resources: z.array(
    z.object({ id: z.number(), kind: z.string(), name: z.string(), skills: z.array(z.string()), rating: StaffRatingSchema.nullable().meta({ description: 'Staff only; null for rooms and equipment' }) }),
  ),
}).meta({ id: 'StoreDetail' });

export const IndustryListSchema = z
  .object({
    industries: z.array(
      z.object({
        code: z.string().meta({ description: 'stores.industry; the value of GET /v1/stores?industry=', example: 'hair_salon' }),
        label: z.string().meta({ example: '美发' }),
        icon: z.string().meta({ description: 'Short ascii key the client maps to an emoji or icon', example: 'scissors' }),
        storeCount: z.number().int().meta({ description: 'Active stores of the industry' }),
      }),
    ),
  })
  .meta({ id: 'IndustryList' });

export const RECOMMENDED_DEFAULT_LIMIT = 6;
export const RECOMMENDED_MAX_LIMIT = 20;

export const RecommendedServicesQuery = z
  .object({
    lat: latitude.optional(),
    lng: longitude.optional(),
    limit: z.coerce.number().int().min(1).max(RECOMMENDED_MAX_LIMIT).default(RECOMMENDED_DEFAULT_LIMIT),
  })
  .strict()
  .superRefine(bothOrNeitherCoordinate);

export const RecommendedServicesSchema = z
  .object({
    services: z.array(
      z.object({
        serviceId: z.number(),
        name: z.string(),
        category: z.string(),
        priceFen: z.number().int(),
        durationMinutes: z.number().int(),
        storeId: z.number(),
        storeName: z.string(),
        industry: z.string(),
        industryLabel: z.string(),
        rating: StoreRatingSchema,
        distanceMeters: z.number().int().optional().meta({ description: 'Great-circle distance to the store, metres; only when the request gave lat/lng' }),
        payment: ServicePaymentSchema,
      }),
    ),
  })
  .meta({ id: 'RecommendedServices' });

export const WechatLoginBody = z.object({ code: z.string().min(1).max(128) }).strict();
export const PhoneBindBody = z.object({ code: z.string().min(1).max(128).meta({ description: 'The code from the getPhoneNumber button' }) }).strict();
export const PhoneBoundSchema = z.object({ phoneMasked: z.string() }).meta({ id: 'PhoneBound' });
export const MeSchema = z.object({ customerId: z.number(), phoneMasked: z.string().nullable() }).meta({ id: 'Me' });
export const StaffLoginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(128) }).strict();

export const TokenSchema = z
  .object({ token: z.string(), expiresAt: z.string(), subjectId: z.number() })
  .meta({ id: 'Token' });

export const MerchantBookingsQuery = z
  .object({
    storeId: id.optional(),
    date: LocalDate.optional(),
    status: z.enum(BookingStatuses).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

const rating = (what: string) =>
  z
    .number({ error: `${what}须为 ${MIN_RATING} 到 ${MAX_RATING} 的整数` })
    .int(`${what}须为 ${MIN_RATING} 到 ${MAX_RATING} 的整数`)
    .min(MIN_RATING, `${what}须为 ${MIN_RATING} 到 ${MAX_RATING} 的整数`)
    .max(MAX_RATING, `${what}须为 ${MIN_RATING} 到 ${MAX_RATING} 的整数`);

export const ReviewBody = z
  .object({
    rating: rating('评分').meta({ description: 'The service, 1–5 stars' }),
    staffRating: rating('人员评分').optional().meta({ description: 'The staff member who served the booking, 1–5; only if one did' }),
    text: z
      .string()
      .max(REVIEW_TEXT_MAX_CHARS * 4)
      .transform(cleanReviewText)
      .refine((t) => reviewTextLength(t) <= REVIEW_TEXT_MAX_CHARS, `评价内容最多 ${REVIEW_TEXT_MAX_CHARS} 个字`)
      .default('')
      .meta({ description: `Trimmed, control characters removed, at most ${REVIEW_TEXT_MAX_CHARS} characters` }),
  })
  .strict()
  .meta({ id: 'CreateReview' });

export const ReviewSchema = z
  .object({
    id: z.number(),
    storeId: z.number(),
    service: z.object({ id: z.number(), name: z.string().nullable() }),
    staff: z.object({ id: z.number(), name: z.string().nullable() }).nullable(),
    rating: z.number(),
    staffRating: z.number().nullable(),
    text: z.string(),
    reviewer: z.string().meta({ description: 'Masked, e.g. 顾客***12; never a customer id or phone', example: '顾客***12' }),
    createdAt: z.string(),
  })
  .meta({ id: 'Review' });

/** A review with the booking it is about: for the customer who wrote it and the merchant it is about. */
export const BookingReviewSchema = ReviewSchema.extend({ bookingId: z.string() }).meta({ id: 'BookingReview' });

export const ReviewPageSchema = z.object({
  reviews: z.array(ReviewSchema),
  nextCursor: z.string().nullable().meta({ description: 'Pass as cursor for the next (older) page; null on the last page' }),
});

const reviewCursor = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'cursor 无效').meta({ description: 'nextCursor of the previous page' });

export const ReviewListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(50).default(20),
    cursor: reviewCursor.optional(),
  })
  .strict();

export const MerchantReviewsQuery = ReviewListQuery.extend({ storeId: id.optional() }).strict();

// ── payments ──────────────────────────────────────────────────────────────────

export const PaymentStartSchema = z
  .object({
    status: z.enum(['PAY', 'PAID']),
    outTradeNo: z.string(),
    amountFen: z.number(),
    dueAt: z.string().nullable(),
    requestPayment: z
      .object({ appId: z.string(), timeStamp: z.string(), nonceStr: z.string(), package: z.string(), signType: z.literal('RSA'), paySign: z.string() })
      .nullable()
      .meta({ description: 'Pass to wx.requestPayment as is; the booking confirms when WeChat tells us, never on the client callback' }),
  })
  .meta({ id: 'PaymentStart' });

export const CancellationQuoteSchema = z
  .object({
    bookingId: z.string(),
    cancellable: z.boolean(),
    paidFen: z.number(),
    rule: z.enum(['FREE_CANCELLATION', 'LATE_CANCELLATION', 'MERCHANT_CANCELLED', 'NO_SHOW']).nullable(),
    feeFen: z.number(),
    refundFen: z.number(),
    freeUntil: z.string().nullable(),
  })
  .meta({ id: 'CancellationQuote' });

export const CheckInBody = z.object({ code: z.string().trim().regex(/^\d{6}$/, '核销码为 6 位数字') }).strict();

const percent = z.number().int().min(0).max(100);
export const PaymentPolicyBody = z
  .object({
    mode: z.enum(['none', 'deposit', 'full']),
    depositFixedFen: z.number().int().min(1).max(100_000_000).nullable().default(null),
    depositPercent: z.number().int().min(1).max(100).nullable().default(null),
    target: z.enum(['all', 'new_customers', 'prior_no_shows', 'amount_above']).default('all'),
    targetAmountFen: z.number().int().min(0).max(100_000_000).nullable().default(null),
    targetNoShows: z.number().int().min(1).max(100).default(1),
    paymentWindowMinutes: z.number().int().min(1).max(1440).default(15),
    freeCancelHours: z.number().int().min(0).max(720).default(24),
    lateCancelFeePercent: percent.default(100),
    noShowFeePercent: percent.default(100),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.mode === 'deposit' && (p.depositFixedFen === null) === (p.depositPercent === null)) {
      ctx.addIssue({ code: 'custom', path: ['depositFixedFen'], message: '定金需设置固定金额或比例（二选一）' });
    }
    if (p.mode !== 'deposit' && (p.depositFixedFen !== null || p.depositPercent !== null)) {
      ctx.addIssue({ code: 'custom', path: ['mode'], message: '只有定金模式可以设置定金金额或比例' });
    }
    if (p.target === 'amount_above' && p.targetAmountFen === null) {
      ctx.addIssue({ code: 'custom', path: ['targetAmountFen'], message: '按金额收定金时需设置金额门槛' });
    }
  })
  .meta({ id: 'PaymentPolicy' });

export const LedgerQuery = z
  .object({ from: LocalDate, to: LocalDate, storeId: id.optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) })
  .strict()
  .refine((q) => q.from <= q.to, { message: '开始日期不能晚于结束日期', path: ['from'] });

export const LedgerSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    timezone: z.string(),
    totals: z.object({ receivedFen: z.number(), refundedFen: z.number(), netFen: z.number() }),
    entries: z.array(
      z.object({
        id: z.number(),
        kind: z.enum(['PAYMENT', 'REFUND']),
        amountFen: z.number().meta({ description: 'Signed fen: + received, − refunded' }),
        bookingId: z.string(),
        storeId: z.number(),
        providerRef: z.string(),
        occurredAt: z.string(),
      }),
    ),
  })
  .meta({ id: 'Ledger' });

export const BillDateQuery = z.object({ date: LocalDate }).strict();

// ── notifications ─────────────────────────────────────────────────────────────

export const NoticeListQuery = z
  .object({
    unread: z.enum(['true', 'false']).optional().transform((v) => v === 'true'),
    before: id.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

export const NoticeSchema = z
  .object({ id: z.number(), kind: z.string(), title: z.string(), body: z.string(), bookingId: z.string().nullable(), storeId: z.number().nullable(), read: z.boolean(), createdAt: z.string() })
  .meta({ id: 'Notice' });

export const NoticeListSchema = z.object({ notices: z.array(NoticeSchema), unread: z.number() }).meta({ id: 'NoticeList' });

export const MarkReadBody = z
  .union([z.object({ ids: z.array(z.number().int().positive()).min(1).max(200) }).strict(), z.object({ all: z.literal(true) }).strict()])
  .meta({ id: 'MarkRead' });

export const SubscriptionsBody = z
  .object({ accepted: z.array(z.string().min(1).max(64)).min(1).max(10).meta({ description: 'Template ids the user accepted in wx.requestSubscribeMessage' }) })
  .strict();

export const PreferenceBody = z
  .object({ merchantId: z.number().int().min(0).default(0).meta({ description: '0 = every merchant' }), channel: z.enum(['sms', 'subscribe', 'all']), optedOut: z.boolean() })
  .strict();

const minuteOfDay = z.number().int().min(0).max(1439);
export const NotificationSettingsBody = z
  .object({
    reminderOffsetsMinutes: z.array(z.number().int().min(5).max(14 * 1440)).max(4).meta({ description: 'e.g. [1440, 120]: 24 h and 2 h before' }),
    quietHours: z.object({ startMinute: minuteOfDay, endMinute: minuteOfDay }).meta({ description: 'No SMS between these local minutes (21:00 = 1260) unless the booking is sooner' }),
    reviewDelayMinutes: z.number().int().min(0).max(7 * 1440),
    digestMinute: minuteOfDay,
    smsEnabled: z.boolean(),
    subscribeEnabled: z.boolean(),
  })
  .strict()
  .meta({ id: 'NotificationSettings' });

export const TemplateKindParams = z.object({ kind: z.string().max(40) });
export const TemplateBody = z
  .object({ title: z.string().trim().min(1).max(40), body: z.string().trim().min(1).max(300), enabled: z.boolean().default(true) })
  .strict()
  .meta({ id: 'NotificationTemplate' });

export const StatsQuery = z.object({ from: LocalDate, to: LocalDate }).strict();

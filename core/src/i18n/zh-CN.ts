import type { ErrorCode } from '../errors.ts';
import type { BookingStatus } from '../booking/state-machine.ts';

/** Simplified Chinese, the product's primary language. Keys are typed, so a missing text fails `tsc`. */
export const zhCN = {
  errors: {
    VALIDATION_FAILED: '请求参数有误，请检查后重试',
    IDEMPOTENCY_KEY_REQUIRED: '缺少 Idempotency-Key 请求头',
    IDEMPOTENCY_MISMATCH: '同一个幂等键已用于内容不同的请求',
    UNAUTHENTICATED: '请先登录',
    FORBIDDEN: '没有权限执行此操作',
    NOT_FOUND: '内容不存在',
    STORE_NOT_FOUND: '门店不存在或已停业',
    SERVICE_NOT_FOUND: '服务项目不存在或已下架',
    BOOKING_NOT_FOUND: '预约不存在',
    RESOURCE_NOT_FOUND: '所选人员或场地不存在',
    SLOT_SOLD_OUT: '该时段已约满，请选择其他时间',
    SLOT_UNAVAILABLE: '该时段不可预约',
    SLOT_TOO_SOON: '距开始时间太近，需至少提前 {minutes} 分钟预约',
    SLOT_BEYOND_HORIZON: '只能预约未来 {days} 天内的时段',
    SLOT_MISALIGNED: '开始时间不在可预约的时间点上',
    PARTY_TOO_LARGE: '单次最多预约 {max} 人',
    CUSTOMER_LIMIT_REACHED: '您当天在本店的预约已达上限（{limit} 个）',
    INVALID_TRANSITION: '当前预约状态不允许此操作',
    BOOKING_ALREADY_STARTED: '预约已开始，无法取消',
    PAYMENT_NOT_REQUIRED: '该预约无需在线支付',
    PAYMENT_DEADLINE_PASSED: '支付已超时，预约已释放，请重新预约',
    PAYMENT_UNAVAILABLE: '微信支付暂时不可用，请稍后再试',
    CHECKIN_CODE_INVALID: '核销码不正确',
    CHECKIN_CODE_AMBIGUOUS: '核销码对应多个预约，请从预约详情核销',
    BOOKING_NOT_STARTED: '预约尚未开始，不能标记为未到店',
    POLICY_INVALID: '支付规则设置有误：{reason}',
    REVIEW_NOT_ALLOWED: '服务完成后才能评价',
    REVIEW_ALREADY_EXISTS: '该预约已评价过，每个预约只能评价一次',
    REVIEW_NO_STAFF: '该预约没有服务人员，无法评价人员',
    LOGIN_FAILED: '微信登录失败，请重试',
    LOGIN_BLOCKED: '账号存在风险，暂时无法登录',
    LOGIN_RATE_LIMITED: '登录过于频繁，请稍后再试',
    UPSTREAM_UNAVAILABLE: '微信服务暂时不可用，请稍后再试',
    INVENTORY_REBUILDING: '系统正在恢复库存数据，请稍后重试',
    SERVICE_UNAVAILABLE: '系统繁忙，请稍后重试',
    PAYLOAD_TOO_LARGE: '请求内容过大',
    INTERNAL: '服务器开小差了，请稍后再试',
  } satisfies Record<ErrorCode, string>,
  bookingStatus: {
    PENDING: '处理中',
    AWAITING_PAYMENT: '待支付',
    CONFIRMED: '已确认',
    CHECKED_IN: '已到店',
    COMPLETED: '已完成',
    NO_SHOW: '未到店',
    CANCELLED: '已取消',
    EXPIRED: '已过期',
    REJECTED: '预约失败',
  } satisfies Record<BookingStatus, string>,
  reviews: {
    /** How a reviewer is shown publicly; {tag} comes from reviewerTag(), never the customer id. */
    reviewer: '顾客***{tag}',
  },
};

export type Messages = typeof zhCN;

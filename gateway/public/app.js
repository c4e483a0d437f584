// Zhiyue demo page: consumer booking flow, merchant view and live pipeline metrics.
// Plain ES module, no build step, no external resources.

const DEFAULT_TZ = 'Asia/Shanghai';
const DAYS_AHEAD = 7; // today … +6
const METRICS_INTERVAL_MS = 2000;
const READY_INTERVAL_MS = 10000;
const POLL_TIMEOUT_MS = 30000;
/** How long to wait for WeChat Pay's notify to confirm a paid booking. */
const PAY_POLL_TIMEOUT_MS = 30000;
const LATENCY_WINDOW_MS = 60000;

const INDUSTRY_LABELS = {
  hair_salon: '美发',
  clinic: '门诊',
  fitness_class: '健身团课',
  restaurant: '餐饮',
  beauty: '美容',
  spa: '养生',
};
const KIND_LABELS = { staff: '人员', room: '房间', equipment: '设备' };
const SKILL_LABELS = {
  cut: '剪发',
  color: '染发',
  perm: '烫发',
  general: '全科',
  dermatology: '皮肤科',
  ultrasound: '彩超',
  exam: '诊室',
  cycling: '单车课',
  tasting: '品鉴',
};
const ROLE_LABELS = { owner: '店主', manager: '店长', staff: '店员' };
const REASON_LABELS = {
  CUSTOMER_REQUEST: '顾客主动取消',
  MERCHANT_REQUEST: '商家取消',
  SOLD_OUT_IN_DATABASE: '名额已被抢完（数据库复核未通过）',
  HOLD_DEADLINE_PASSED: '处理超时，名额已释放',
  ABORTED: '受理中断，请重试',
  PAYMENT_DEADLINE_PASSED: '超时未支付，名额已释放',
  LATE_PAYMENT: '超时后支付成功，已为您保留',
  NO_SHOW: '未到店',
};
/** Which rule of the service's cancellation policy applies (GET /v1/bookings/:id/cancellation). */
const RULE_LABELS = {
  FREE_CANCELLATION: '免费取消',
  LATE_CANCELLATION: '逾期取消',
  MERCHANT_CANCELLED: '商家取消',
  NO_SHOW: '未到店',
};
const LEDGER_KIND_LABELS = { PAYMENT: '收款', REFUND: '退款' };
/** Statuses in which what was due online has been paid. */
const PAID_STATUSES = new Set(['CONFIRMED', 'CHECKED_IN', 'COMPLETED', 'NO_SHOW']);
const OUTCOME_LABELS = {
  reserved: '已预留（202）',
  replay: '幂等重放',
  sold_out: '已约满',
  closed: '时段不可约',
  customer_limit: '超出每日上限',
  idempotency_mismatch: '幂等键冲突',
  rebuilding: '库存重建中',
  unavailable: '服务不可用',
  rejected_input: '参数不合法',
  error: '内部错误',
};
const OUTCOME_TONE = { reserved: 'ok', replay: 'info' };
const STATUS_TONE = {
  PENDING: 'info',
  AWAITING_PAYMENT: 'warn',
  CONFIRMED: 'ok',
  CHECKED_IN: 'ok',
  COMPLETED: 'muted',
  NO_SHOW: 'warn',
  CANCELLED: 'muted',
  EXPIRED: 'muted',
  REJECTED: 'err',
};
/** Statuses from which the state machine allows CANCELLED. */
const CANCELLABLE = new Set(['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED']);
const DEMO_ACCOUNTS = ['salon.owner', 'salon.front', 'clinic.owner', 'fitness.owner', 'flash.owner'];

const yuan = new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY' });
const integer = new Intl.NumberFormat('zh-CN');

// ---------------------------------------------------------------------------
// Small DOM helpers (all dynamic text goes through textContent).

const $ = (id) => document.getElementById(id);

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function setMsg(el, text, tone = 'err') {
  el.textContent = text || '';
  el.dataset.tone = text ? tone : '';
}

let toastTimer;
function toast(text, tone = 'err') {
  const el = $('toast');
  el.textContent = text;
  el.dataset.tone = tone;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
  }, 4000);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------
// HTTP

class ApiError extends Error {
  constructor(message, { status = 0, code = 'NETWORK', issues, retryAfter } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.issues = issues;
    this.retryAfter = retryAfter;
  }
}

/** Calls the gateway (or the fake); resolves with parsed JSON, rejects with an ApiError carrying a user-facing message. */
async function api(url, { method = 'GET', token, body, headers = {} } = {}) {
  const init = { method, headers: { Accept: 'application/json', 'Accept-Language': 'zh-CN', ...headers } };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch {
    throw new ApiError('网络错误：无法连接服务，请确认服务已启动');
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const retryAfter = Number(res.headers.get('Retry-After')) || undefined;
    if (data && data.error && typeof data.error === 'object') {
      const { code, message, issues } = data.error;
      throw new ApiError(message || `请求失败（HTTP ${res.status}）`, { status: res.status, code, issues, retryAfter });
    }
    // The fake WeChat API answers {error: "..."} on bad input.
    const detail = data && typeof data.error === 'string' ? `：${data.error}` : '';
    throw new ApiError(`请求失败（HTTP ${res.status}）${detail}`, { status: res.status, code: `HTTP_${res.status}`, retryAfter });
  }
  if (data === null && text) throw new ApiError('服务返回了无法解析的内容', { status: res.status, code: 'BAD_RESPONSE' });
  return data;
}

/** Message plus the first validation issue, if any. */
function describeError(error) {
  if (!(error instanceof ApiError)) return `出错了：${error && error.message ? error.message : String(error)}`;
  const issue = error.issues && error.issues[0];
  return issue ? `${error.message}（${issue.path}：${issue.message}）` : error.message;
}

/** Decodes a JWT payload for display only; the server checks the signature. */
function jwtPayload(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0)));
    return JSON.parse(json);
  } catch {
    return {};
  }
}

/** 8–64 chars of [A-Za-z0-9_-]; crypto.getRandomValues also works outside secure contexts. */
function newIdempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `demo-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function randomDemoUser() {
  const bytes = crypto.getRandomValues(new Uint8Array(3));
  return `demo-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

// ---------------------------------------------------------------------------
// Dates and formatting (store time zone)

const dateFormatters = new Map();
function localDateIn(timeZone, ms = Date.now()) {
  let fmt = dateFormatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormatters.set(timeZone, fmt);
  }
  return fmt.format(ms); // YYYY-MM-DD
}

function addDays(localDate, days) {
  const [y, m, d] = localDate.split('-').map(Number);
  const dt = new Date(Date.UTC(y, m - 1, d + days));
  return dt.toISOString().slice(0, 10);
}

const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
function dateParts(localDate) {
  const [y, m, d] = localDate.split('-').map(Number);
  const weekday = WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
  return { month: m, day: d, weekday };
}

function dateLabel(localDate, today) {
  const { month, day, weekday } = dateParts(localDate);
  const rel = { 0: '今天', 1: '明天', 2: '后天' }[daysBetween(today, localDate)];
  return { top: rel || weekday, bottom: `${month}月${day}日` };
}

function daysBetween(a, b) {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000);
}

const timeFormatters = new Map();
function timeIn(timeZone, iso) {
  let fmt = timeFormatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('zh-CN', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    timeFormatters.set(timeZone, fmt);
  }
  return fmt.format(new Date(iso));
}

function longDate(localDate) {
  const { month, day, weekday } = dateParts(localDate);
  return `${month}月${day}日 ${weekday}`;
}

function formatDuration(minutes) {
  if (minutes < 60 || minutes % 30 !== 0) return `${minutes} 分钟`;
  const hours = minutes / 60;
  return `${Number.isInteger(hours) ? hours : hours.toFixed(1)} 小时`;
}

const price = (fen) => yuan.format(fen / 100);
const industryLabel = (code) => INDUSTRY_LABELS[code] || code;

// ---------------------------------------------------------------------------
// State

const state = {
  wechatBase: '',
  wechatPayBase: '',
  consumer: null, // {token, expiresAt, customerId, user}
  stores: [],
  industry: 'all',
  storeCache: new Map(), // id → Promise<StoreDetail>
  store: null,
  service: null,
  date: null,
  staffId: null,
  partySize: 1,
  availability: null, // last unfiltered slots (for the staff list)
  slots: [],
  slot: null,
  availabilitySeq: 0,
  attempt: null, // {key, signature} kept across retries of one booking attempt
  booking: false,
  merchant: null, // {token, username, role, storeId}
  merchantStores: [],
  resultBookingId: null, // the booking shown in the booking bar's result box
  paying: null, // booking id whose payment is in progress
  cancelQuote: null, // {bookingId, quote} shown for confirmation in "我的预约"
  refunds: {}, // bookingId → {refundFen, feeFen, rule} of cancellations made on this page
  devices: {}, // demo user → {phone, phoneMasked, openid, smsOff}: what that user's "phone" did on this page
  subscriptions: null, // GET /v1/me/subscriptions templates
  merchantTab: 'notices', // 消息 | 通知设置 | 模板 | 发送统计
  templateKind: null, // the kind open in the 模板 editor
};

function storeDetail(id) {
  let p = state.storeCache.get(id);
  if (!p) {
    p = api(`/v1/stores/${id}`);
    state.storeCache.set(id, p);
    p.catch(() => state.storeCache.delete(id));
  }
  return p;
}

function saveSession() {
  try {
    sessionStorage.setItem(
      'zhiyue.demo',
      JSON.stringify({ consumer: state.consumer, merchant: state.merchant, wechatBase: state.wechatBase, wechatPayBase: state.wechatPayBase, refunds: state.refunds, devices: state.devices }),
    );
  } catch {
    // Private mode: the session just does not survive a reload.
  }
}

function loadSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem('zhiyue.demo') || 'null');
    if (!saved) return;
    const alive = (s) => s && s.token && Date.parse(s.expiresAt) > Date.now() + 5000;
    if (alive(saved.consumer)) state.consumer = saved.consumer;
    if (alive(saved.merchant)) state.merchant = saved.merchant;
    if (saved.wechatBase) state.wechatBase = saved.wechatBase;
    if (saved.wechatPayBase) state.wechatPayBase = saved.wechatPayBase;
    if (saved.refunds && typeof saved.refunds === 'object') state.refunds = saved.refunds;
    if (saved.devices && typeof saved.devices === 'object') state.devices = saved.devices;
  } catch {
    // Ignore a corrupt entry.
  }
}

// ---------------------------------------------------------------------------
// Consumer: login

function defaultWechatBase() {
  const fromQuery = new URLSearchParams(location.search).get('wechat');
  if (fromQuery) return fromQuery.replace(/\/+$/, '');
  // The fake listens on 127.0.0.1:9101 next to the gateway.
  const host = location.hostname === 'localhost' || location.hostname === '' ? '127.0.0.1' : location.hostname;
  return `http://${host.includes(':') ? `[${host}]` : host}:9101`;
}

/** The fake WeChat Pay: `?wechatpay=` (npm run stack prints it when the port is not the default), else port 9103 next to the gateway. */
function defaultWechatPayBase() {
  const fromQuery = new URLSearchParams(location.search).get('wechatpay');
  if (fromQuery) return fromQuery.replace(/\/+$/, '');
  const host = location.hostname === 'localhost' || location.hostname === '' ? '127.0.0.1' : location.hostname;
  return `http://${host.includes(':') ? `[${host}]` : host}:9103`;
}

function wechatPayBase() {
  return ($('wechatpay-base').value.trim() || defaultWechatPayBase()).replace(/\/+$/, '');
}

async function consumerLogin() {
  const btn = $('wechat-login');
  const msg = $('login-msg');
  const user = $('demo-user').value.trim() || randomDemoUser();
  $('demo-user').value = user;
  state.wechatBase = ($('wechat-base').value.trim() || defaultWechatBase()).replace(/\/+$/, '');
  btn.disabled = true;
  setMsg(msg, '正在获取微信登录凭证…', 'info');
  try {
    let code;
    try {
      ({ code } = await api(`${state.wechatBase}/__fake__/login-code`, { method: 'POST', body: { user } }));
    } catch (error) {
      if (error.code === 'NETWORK') throw new ApiError(`无法连接假微信服务（${state.wechatBase}），请先运行 npm run fake:wechat`);
      throw error;
    }
    setMsg(msg, '正在登录…', 'info');
    const { token, expiresAt, subjectId } = await api('/v1/auth/wechat/login', { method: 'POST', body: { code } });
    state.consumer = { token, expiresAt, customerId: subjectId, user };
    saveSession();
    setMsg(msg, '');
    renderLogin();
    enterConsumerNotify();
    refreshMyBookings();
    renderBookingBar();
  } catch (error) {
    setMsg(msg, describeError(error));
  } finally {
    btn.disabled = false;
  }
}

function consumerLogout(message) {
  state.consumer = null;
  state.attempt = null;
  saveSession();
  renderLogin();
  renderMyBookings(null);
  renderBookingBar();
  if (message) setMsg($('login-msg'), message, 'warn');
}

/** A 401 means the 15-minute consumer token ran out. */
function handleConsumerAuthError(error) {
  if (error instanceof ApiError && error.status === 401) {
    consumerLogout('登录已过期，请重新登录');
    return true;
  }
  return false;
}

function renderLogin() {
  const info = $('login-info');
  const form = $('login-form');
  renderNotifyBlock();
  if (!state.consumer) {
    info.hidden = true;
    form.hidden = false;
    return;
  }
  const { customerId, user, expiresAt } = state.consumer;
  const expires = new Date(expiresAt).toLocaleTimeString('zh-CN', { hour12: false, hour: '2-digit', minute: '2-digit' });
  info.replaceChildren(
    h('span', { class: 'avatar', 'aria-hidden': 'true' }, '顾'),
    h(
      'div',
      { class: 'grow' },
      h('div', {}, '已登录 · 顾客 ID ', h('strong', { id: 'customer-id' }, String(customerId))),
      h('div', { class: 'muted small' }, `演示用户 ${user} · 令牌 ${expires} 过期`),
    ),
    h('button', { type: 'button', class: 'btn btn-ghost btn-sm', onclick: () => consumerLogout() }, '退出'),
  );
  info.hidden = false;
  form.hidden = true;
}

// ---------------------------------------------------------------------------
// Consumer: stores

async function loadStores() {
  const list = $('store-list');
  try {
    const { stores } = await api('/v1/stores?limit=100');
    state.stores = stores;
    renderIndustryChips();
    renderStores();
  } catch (error) {
    list.replaceChildren(
      h('p', { class: 'msg', dataset: { tone: 'err' } }, describeError(error)),
      h('button', { type: 'button', class: 'btn btn-ghost btn-sm', onclick: loadStores }, '重试'),
    );
  }
}

function renderIndustryChips() {
  const industries = [...new Set(state.stores.map((s) => s.industry))];
  const chips = [['all', '全部'], ...industries.map((i) => [i, industryLabel(i)])];
  $('industry-chips').replaceChildren(
    ...chips.map(([code, label]) =>
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          class: 'chip',
          'aria-selected': String(state.industry === code),
          onclick: () => {
            state.industry = code;
            renderIndustryChips();
            renderStores();
          },
        },
        label,
      ),
    ),
  );
}

function renderStores() {
  const stores = state.stores.filter((s) => state.industry === 'all' || s.industry === state.industry);
  if (stores.length === 0) {
    $('store-list').replaceChildren(h('p', { class: 'muted' }, '暂无门店。请先运行 npm run seed 生成演示数据。'));
    return;
  }
  $('store-list').replaceChildren(
    ...stores.map((s) =>
      h(
        'button',
        {
          type: 'button',
          class: 'store-card',
          'aria-pressed': String(state.store?.id === s.id),
          dataset: { storeId: s.id },
          onclick: () => selectStore(s.id),
        },
        h('span', { class: `tag tag-${s.industry}` }, industryLabel(s.industry)),
        h('strong', { class: 'store-name' }, s.name),
        h('span', { class: 'muted small' }, s.address),
      ),
    ),
  );
}

async function selectStore(id) {
  const block = $('store-block');
  block.hidden = false;
  $('store-detail').replaceChildren(h('p', { class: 'muted' }, '加载门店详情…'));
  try {
    const store = await storeDetail(id);
    state.store = store;
    state.service = null;
    state.slot = null;
    state.staffId = null;
    state.attempt = null;
    state.date = localDateIn(store.timezone || DEFAULT_TZ);
    renderStores();
    renderStoreDetail();
    if (store.services.length === 1) selectService(store.services[0].id);
    else {
      $('slot-block').hidden = true;
      renderBookingBar();
    }
  } catch (error) {
    $('store-detail').replaceChildren(h('p', { class: 'msg', dataset: { tone: 'err' } }, describeError(error)));
  }
}

function renderStoreDetail() {
  const store = state.store;
  const people = store.resources.filter((r) => r.kind === 'staff');
  const places = store.resources.filter((r) => r.kind !== 'staff');
  const resourceChip = (r) =>
    h(
      'li',
      { class: 'res-chip', title: r.skills.map((s) => SKILL_LABELS[s] || s).join('、') },
      h('span', { class: `res-kind res-${r.kind}` }, KIND_LABELS[r.kind] || r.kind),
      r.name,
      r.skills.length ? h('span', { class: 'muted small' }, ` ${r.skills.map((s) => SKILL_LABELS[s] || s).join(' / ')}`) : null,
    );
  $('store-detail').replaceChildren(
    h(
      'div',
      { class: 'store-head' },
      h('div', {}, h('h3', {}, `3. ${store.name}`), h('p', { class: 'muted small' }, `${industryLabel(store.industry)} · ${store.address} · 时区 ${store.timezone}`)),
    ),
    h('h4', { class: 'sub-title' }, '服务项目'),
    h(
      'div',
      { class: 'service-list', role: 'radiogroup', 'aria-label': '服务项目' },
      store.services.map((svc) =>
        h(
          'button',
          {
            type: 'button',
            class: 'service-card',
            role: 'radio',
            'aria-checked': String(state.service?.id === svc.id),
            dataset: { serviceId: svc.id },
            onclick: () => selectService(svc.id),
          },
          h('span', { class: 'service-name' }, svc.name),
          h('span', { class: 'service-price' }, price(svc.priceFen)),
          h('span', { class: 'muted small' }, formatDuration(svc.durationMinutes), svc.maxPartySize > 1 ? ` · 每单最多 ${svc.maxPartySize} 人` : ''),
        ),
      ),
    ),
    h(
      'div',
      { class: 'resource-cols' },
      people.length ? h('div', {}, h('h4', { class: 'sub-title' }, '服务人员'), h('ul', { class: 'res-list' }, people.map(resourceChip))) : null,
      places.length ? h('div', {}, h('h4', { class: 'sub-title' }, '场地与设备'), h('ul', { class: 'res-list' }, places.map(resourceChip))) : null,
    ),
  );
}

function selectService(serviceId) {
  const svc = state.store.services.find((s) => s.id === serviceId);
  if (!svc) return;
  state.service = svc;
  state.slot = null;
  state.staffId = null;
  state.attempt = null;
  state.partySize = 1;
  renderStoreDetail();
  $('slot-block').hidden = false;
  renderDateTabs();
  renderPartySelect();
  loadAvailability();
  renderBookingBar();
}

// ---------------------------------------------------------------------------
// Consumer: dates, staff, slots

function renderDateTabs() {
  const tz = state.store.timezone || DEFAULT_TZ;
  const today = localDateIn(tz);
  const dates = Array.from({ length: DAYS_AHEAD }, (_, i) => addDays(today, i));
  if (!dates.includes(state.date)) state.date = today;
  $('date-tabs').replaceChildren(
    ...dates.map((d) => {
      const { top, bottom } = dateLabel(d, today);
      return h(
        'button',
        {
          type: 'button',
          role: 'tab',
          class: 'date-tab',
          'aria-selected': String(d === state.date),
          dataset: { date: d },
          onclick: () => {
            if (state.date === d) return;
            state.date = d;
            state.slot = null;
            state.attempt = null;
            renderDateTabs();
            loadAvailability();
            renderBookingBar();
          },
        },
        h('span', { class: 'date-top' }, top),
        h('span', { class: 'date-bottom' }, bottom),
      );
    }),
  );
  $('tz-note').textContent = `时间为门店当地时间（${tz}）`;
}

function renderPartySelect() {
  const max = state.service.maxPartySize;
  $('party-field').hidden = max <= 1;
  $('party-select').replaceChildren(
    ...Array.from({ length: Math.min(max, 10) }, (_, i) => h('option', { value: i + 1, selected: i + 1 === state.partySize }, `${i + 1} 人`)),
  );
}

function renderStaffSelect() {
  const store = state.store;
  const staff = store.resources.filter((r) => r.kind === 'staff');
  // Candidates: staff members that appear in any slot of the unfiltered availability.
  const seen = new Set();
  for (const slot of state.availability || []) for (const r of slot.resources) seen.add(r.resourceId);
  const candidates = staff.filter((r) => seen.has(r.id));
  const field = $('staff-field');
  if (candidates.length === 0 && state.staffId === null) {
    field.hidden = true;
    return;
  }
  field.hidden = false;
  const options = [h('option', { value: '' }, '不限（任意可约人员）')];
  for (const r of candidates) options.push(h('option', { value: r.id, selected: r.id === state.staffId }, r.name));
  const chosen = staff.find((r) => r.id === state.staffId);
  if (chosen && !seen.has(chosen.id)) options.push(h('option', { value: chosen.id, selected: true }, `${chosen.name}（当日不可约）`));
  $('staff-select').replaceChildren(...options);
  $('staff-select').value = state.staffId === null ? '' : String(state.staffId);
}

async function loadAvailability({ quiet = false } = {}) {
  const area = $('slot-area');
  const { store, service, date, staffId } = state;
  if (!store || !service || !date) return;
  const seq = ++state.availabilitySeq;
  if (!quiet) area.replaceChildren(h('div', { class: 'slot-skeleton' }, Array.from({ length: 8 }, () => h('span'))));
  const base = `/v1/stores/${store.id}/availability?serviceId=${service.id}&date=${date}`;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const [all, filtered] = await Promise.all([api(base), staffId === null ? null : api(`${base}&resourceId=${staffId}`)]);
        if (seq !== state.availabilitySeq) return; // a newer request superseded this one
        state.availability = all.slots;
        state.slots = (filtered || all).slots;
        break;
      } catch (error) {
        // The inventory mirror is being rebuilt: the server says when to come back.
        if (error.code === 'INVENTORY_REBUILDING' && attempt < 5) {
          if (!quiet) area.replaceChildren(h('p', { class: 'muted' }, error.message));
          await sleep(Math.min((error.retryAfter || 1) * 1000, 3000));
          if (seq !== state.availabilitySeq) return;
          continue;
        }
        throw error;
      }
    }
    if (state.slot) {
      // Keep the selection only if it still exists and still has room.
      const same = state.slots.find((s) => s.startAt === state.slot.startAt);
      state.slot = same && same.remaining >= state.partySize ? same : null;
    }
    renderStaffSelect();
    renderSlots();
    renderBookingBar();
  } catch (error) {
    if (seq !== state.availabilitySeq) return;
    area.replaceChildren(
      h('p', { class: 'msg', dataset: { tone: 'err' } }, describeError(error)),
      h('button', { type: 'button', class: 'btn btn-ghost btn-sm', onclick: () => loadAvailability() }, '重试'),
    );
  }
}

function renderSlots() {
  const area = $('slot-area');
  const slots = state.slots;
  if (slots.length === 0) {
    area.replaceChildren(h('p', { class: 'empty' }, state.staffId === null ? '当天没有可预约的时段（休息日或已过营业时间），请换一天。' : '所选人员当天没有可预约时段，可改选“不限”。'));
    return;
  }
  const names = new Map(state.store.resources.map((r) => [r.id, r.name]));
  const groups = [
    ['上午', (t) => t < '12:00'],
    ['下午', (t) => t >= '12:00' && t < '18:00'],
    ['晚上', (t) => t >= '18:00'],
  ];
  const free = slots.filter((s) => s.remaining > 0).length;
  const sections = groups.map(([label, test]) => {
    const inGroup = slots.filter((s) => test(s.localTime));
    if (inGroup.length === 0) return null;
    return h(
      'div',
      { class: 'slot-group' },
      h('h4', { class: 'slot-group-title' }, label),
      h(
        'div',
        { class: 'slot-grid' },
        inGroup.map((slot) => {
          const full = slot.remaining <= 0;
          const tooSmall = !full && slot.remaining < state.partySize;
          const who = slot.resources.filter((r) => r.remaining > 0).map((r) => names.get(r.resourceId) || `#${r.resourceId}`);
          return h(
            'button',
            {
              type: 'button',
              class: 'slot',
              disabled: full || tooSmall,
              'aria-pressed': String(state.slot?.startAt === slot.startAt),
              dataset: { start: slot.startAt, time: slot.localTime },
              title: full ? '已约满' : who.length ? `可约：${who.join('、')}` : undefined,
              onclick: () => {
                state.slot = slot;
                state.attempt = null;
                renderSlots();
                renderBookingBar();
              },
            },
            h('span', { class: 'slot-time' }, slot.localTime),
            h('span', { class: 'slot-left' }, full ? '约满' : `余 ${slot.remaining}`),
          );
        }),
      ),
    );
  });
  area.replaceChildren(
    h('p', { class: 'muted small slot-count' }, `共 ${slots.length} 个时段，${free} 个可约 · 点选时段后确认预约`),
    ...sections.filter(Boolean),
  );
}

// ---------------------------------------------------------------------------
// Consumer: booking

function bookingSignature() {
  const { store, service, slot, staffId, partySize } = state;
  return JSON.stringify([store?.id, service?.id, slot?.startAt, staffId, partySize]);
}

function renderBookingBar() {
  const bar = $('booking-bar');
  const { store, service, slot, staffId, partySize } = state;
  if (!store || !service) {
    bar.hidden = true;
    return;
  }
  bar.hidden = false;
  // Name the staff choice only where there is one to make.
  const staffName = $('staff-field').hidden ? null : staffId === null ? '不限人员' : store.resources.find((r) => r.id === staffId)?.name;
  const summary = $('booking-summary');
  if (!slot) {
    summary.replaceChildren(h('span', { class: 'muted' }, `${service.name} · ${price(service.priceFen)} —— 请选择时段`));
  } else {
    summary.replaceChildren(
      h('strong', {}, `${store.name} · ${service.name}`),
      h('span', {}, [`${longDate(state.date)} ${slot.localTime}–${timeIn(store.timezone, slot.endAt)}`, staffName, partySize > 1 ? `${partySize} 人` : null].filter(Boolean).join(' · ')),
      // The API does not say whether a service is priced per person; the confirmed booking carries the real priceFen.
      partySize > 1
        ? h('span', { class: 'service-price', title: '按人计价的服务为单价 × 人数，最终金额以确认结果为准' }, `预计 ${price(service.priceFen * partySize)}`)
        : h('span', { class: 'service-price' }, price(service.priceFen)),
    );
  }
  const btn = $('confirm-btn');
  btn.disabled = state.booking || !slot;
  if (state.booking) {
    btn.textContent = '提交中…';
  } else if (!state.consumer) {
    btn.textContent = '请先登录';
    btn.disabled = false;
  } else if (state.attempt && state.attempt.signature === bookingSignature()) {
    btn.textContent = '重试预约';
  } else {
    btn.textContent = '确认预约';
  }
}

function showResult(tone, title, ...lines) {
  $('booking-result').replaceChildren(
    h('div', { class: 'result', dataset: { tone } }, h('strong', { class: 'result-title' }, title), ...lines.filter(Boolean).map((l) => h('div', { class: 'small' }, l))),
  );
}

async function confirmBooking() {
  if (!state.consumer) {
    setMsg($('login-msg'), '请先点击“微信登录（演示）”', 'warn');
    $('wechat-login').focus();
    $('login-block').scrollIntoView({ behavior: 'smooth', block: 'center' });
    return;
  }
  if (!state.slot || state.booking) return;
  const tapAt = performance.now();
  const { store, service, slot, staffId, partySize } = state;
  const signature = bookingSignature();
  // One key per booking attempt; a retry of the same attempt reuses it so the server answers once.
  if (!state.attempt || state.attempt.signature !== signature) state.attempt = { key: newIdempotencyKey(), signature };
  const key = state.attempt.key;
  const body = { storeId: store.id, serviceId: service.id, startAt: slot.startAt, partySize };
  if (staffId !== null) body.resourceId = staffId;

  state.booking = true;
  renderBookingBar();
  showResult('info', '提交中…', `幂等键 ${key}`);

  let accepted;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        accepted = await api('/v1/bookings', { method: 'POST', token: state.consumer.token, headers: { 'Idempotency-Key': key }, body });
        break;
      } catch (error) {
        // Transient: the same key makes the retry safe.
        const transient = error.code === 'NETWORK' || error.status === 503;
        if (transient && attempt < 2) {
          await sleep(Math.min((error.retryAfter || 0.5) * 1000, 2000));
          continue;
        }
        throw error;
      }
    }
  } catch (error) {
    state.booking = false;
    if (handleConsumerAuthError(error)) {
      showResult('err', '登录已过期', '请重新登录后再预约。');
      return;
    }
    const transient = error.code === 'NETWORK' || error.status === 503;
    if (!transient) state.attempt = null; // a definite answer ends this attempt
    showResult('err', describeError(error), transient ? '可点击“重试预约”，将使用同一幂等键，不会重复下单。' : null);
    renderBookingBar();
    if (error.status === 409) loadAvailability({ quiet: true });
    return;
  }
  const acceptedMs = Math.round(performance.now() - tapAt);
  state.attempt = null;

  let view = { status: accepted.status, statusLabel: accepted.status === 'PENDING' ? '处理中' : accepted.status, bookingId: accepted.bookingId };
  showResult('info', '处理中', `已受理（HTTP 202，用时 ${acceptedMs} ms），等待队列写入 MySQL…`, `预约号 ${accepted.bookingId}`);
  $('booking-result').querySelector('.result').classList.add('pending');

  // Poll until the persist worker decides: fast at first, then backing off.
  const deadline = tapAt + POLL_TIMEOUT_MS;
  let delay = 30;
  try {
    while (view.status === 'PENDING' && performance.now() < deadline) {
      await sleep(delay);
      delay = Math.min(delay * 1.5, 500);
      try {
        view = await api(`/v1/bookings/${encodeURIComponent(accepted.bookingId)}`, { token: state.consumer.token });
      } catch (error) {
        if (error.code === 'NETWORK' || error.status >= 500) continue;
        throw error;
      }
    }
  } catch (error) {
    state.booking = false;
    if (!handleConsumerAuthError(error)) showResult('err', describeError(error), `预约号 ${accepted.bookingId}`);
    renderBookingBar();
    return;
  }
  const totalMs = Math.round(performance.now() - tapAt);
  state.booking = false;

  state.resultBookingId = view.bookingId;
  if (view.status === 'PENDING') {
    showResult('warn', '仍在处理中', `已等待 ${Math.round(POLL_TIMEOUT_MS / 1000)} 秒，稍后可在“我的预约”查看结果。`, `预约号 ${accepted.bookingId}`);
  } else if (view.status === 'AWAITING_PAYMENT') {
    showPaymentDue(view, h('span', {}, '名额已锁定：从点击到锁定 ', h('strong', { class: 'elapsed', id: 'elapsed-ms' }, `${totalMs} ms`), `（其中受理 ${acceptedMs} ms）`));
  } else if (view.status === 'CONFIRMED') {
    showResult(
      'ok',
      `✓ ${view.statusLabel}`,
      h('span', {}, '从点击到确认 ', h('strong', { class: 'elapsed', id: 'elapsed-ms' }, `${totalMs} ms`), `（其中受理 ${acceptedMs} ms）`),
      `${longDate(view.localDate)} ${timeIn(store.timezone, view.startAt)} · ${service.name} · ${price(view.priceFen)}`,
      view.checkinCode ? h('span', {}, '核销码 ', checkinCodeEl(view.checkinCode), ' 到店时出示给商家') : null,
      `预约号 ${view.bookingId}`,
    );
  } else {
    const reason = view.reason ? REASON_LABELS[view.reason] || view.reason : null;
    showResult(STATUS_TONE[view.status] === 'ok' ? 'ok' : 'err', view.statusLabel || view.status, reason, `用时 ${totalMs} ms · 预约号 ${view.bookingId}`);
  }
  state.slot = null;
  renderBookingBar();
  loadAvailability({ quiet: true });
  refreshMyBookings();
  if (state.merchant) refreshMerchantBookings({ quiet: true });
  // The notify workers plan and send within a second or two: show the new notice without waiting for the poll.
  setTimeout(() => refreshConsumerNotices({ quiet: true }), 1500);
}

// ---------------------------------------------------------------------------
// Consumer: paying (the H5 demo plays the payer through the fake WeChat Pay)

function formatLeft(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}

/** A countdown to `dueIso`, kept current by tickCountdowns(). */
function countdownEl(dueIso) {
  const el = h('strong', { class: 'countdown', dataset: { due: dueIso } });
  updateCountdown(el);
  return el;
}

function updateCountdown(el) {
  const left = Date.parse(el.dataset.due) - Date.now();
  if (left > 0) {
    el.textContent = formatLeft(left);
    el.dataset.tone = left < 60000 ? 'err' : '';
    return;
  }
  el.textContent = '已超时';
  el.dataset.tone = 'err';
  // The payment-deadline worker releases the slot within seconds: show the outcome then.
  if (!el.dataset.expired && el.isConnected && el.closest('#my-bookings')) {
    el.dataset.expired = '1';
    setTimeout(refreshMyBookings, 3000);
  }
}

function tickCountdowns() {
  for (const el of document.querySelectorAll('.countdown[data-due]')) updateCountdown(el);
}

function checkinCodeEl(code) {
  return h('strong', { class: 'checkin-code', title: '到店时向商家出示，核销后失效' }, code);
}

const payKind = (b) => (b.amountDueFen < b.priceFen ? '定金' : '全款');

function showPaymentDue(view, firstLine) {
  const tz = state.store?.id === view.storeId ? state.store.timezone : DEFAULT_TZ;
  const serviceName = state.store?.services.find((s) => s.id === view.serviceId)?.name || `服务 #${view.serviceId}`;
  showResult(
    'warn',
    `${view.statusLabel || '待支付'} · 需在线支付 ${price(view.amountDueFen)}`,
    firstLine,
    h(
      'span',
      {},
      `${payKind(view)} ${price(view.amountDueFen)}`,
      view.amountDueFen < view.priceFen ? `（总价 ${price(view.priceFen)}，余款到店支付）` : '',
      ' · 请在 ',
      countdownEl(view.paymentDueAt),
      ' 内完成支付，超时名额将自动释放',
    ),
    `${longDate(view.localDate)} ${timeIn(tz, view.startAt)} · ${serviceName} · 预约号 ${view.bookingId}`,
    h(
      'span',
      { class: 'result-actions' },
      h('button', { type: 'button', class: 'btn btn-wechat btn-sm', dataset: { payFor: view.bookingId }, onclick: () => payBooking(view) }, '去支付'),
    ),
  );
}

function setPayButtons(bookingId, busy) {
  for (const btn of document.querySelectorAll(`[data-pay-for="${CSS.escape(bookingId)}"]`)) {
    btn.disabled = busy;
    btn.textContent = busy ? '支付中…' : '去支付';
  }
}

/** 去支付: open (or resume) the booking's WeChat Pay order, let the demo payer pay, wait for the confirmation. */
async function payBooking(b) {
  if (!state.consumer || state.paying) return;
  state.paying = b.bookingId;
  setPayButtons(b.bookingId, true);
  try {
    let start;
    try {
      start = await api(`/v1/bookings/${encodeURIComponent(b.bookingId)}/payment`, { method: 'POST', token: state.consumer.token });
    } catch (error) {
      if (handleConsumerAuthError(error)) return;
      toast(error.code === 'PAYMENT_UNAVAILABLE' ? '网关未配置微信支付（WECHATPAY_*），请用 ./ops/up 启动完整演示' : describeError(error));
      if (error.status === 409 || error.status === 404) refreshMyBookings();
      return;
    }
    if (start.status === 'PAY' && !(await paySheet(b, start))) {
      toast('已取消支付，倒计时结束前可继续支付', 'info');
      return;
    }
    await waitForPayment(b);
  } finally {
    state.paying = null;
    setPayButtons(b.bookingId, false);
  }
}

/** The stand-in for wx.requestPayment(): resolves true once the fake WeChat Pay took the payment, false if closed. */
async function paySheet(b, start) {
  const dialog = $('pay-sheet');
  const msg = $('pay-sheet-msg');
  const confirmBtn = $('pay-sheet-confirm');
  const { store, when, what } = await bookingLines(b);
  const base = wechatPayBase();
  $('pay-sheet-merchant').textContent = store?.name || `门店 #${b.storeId}`;
  $('pay-sheet-amount').textContent = price(start.amountFen);
  $('pay-sheet-rows').replaceChildren(
    h('dt', {}, '商品'),
    h('dd', {}, what.split(' · ')[0], ` · ${payKind({ amountDueFen: start.amountFen, priceFen: b.priceFen })}`),
    h('dt', {}, '预约时间'),
    h('dd', {}, when),
    h('dt', {}, '商户订单号'),
    h('dd', { class: 'mono' }, start.outTradeNo),
    h('dt', {}, '支付剩余'),
    h('dd', {}, start.dueAt ? countdownEl(start.dueAt) : '—'),
  );
  setMsg(msg, '');
  confirmBtn.disabled = false;
  confirmBtn.textContent = '确认支付';
  return new Promise((resolve) => {
    let done = false;
    const finish = (paid) => {
      if (done) return;
      done = true;
      confirmBtn.onclick = null;
      dialog.onclose = null;
      if (dialog.open) dialog.close();
      resolve(paid);
    };
    confirmBtn.onclick = async () => {
      confirmBtn.disabled = true;
      confirmBtn.textContent = '支付中…';
      setMsg(msg, '');
      try {
        await api(`${base}/__fake__/pay`, { method: 'POST', body: { target: start.outTradeNo } });
        finish(true);
      } catch (error) {
        if (error.code === 'NETWORK') setMsg(msg, `无法连接假微信支付（${base}）：请用 ./ops/up 启动，或在“演示说明与设置”中填写其地址。`);
        else if (error.status === 409) setMsg(msg, `${describeError(error)}（订单已支付或已过期，请关闭后刷新“我的预约”）`);
        else setMsg(msg, describeError(error));
        confirmBtn.disabled = false;
        confirmBtn.textContent = '确认支付';
      }
    };
    dialog.onclose = () => finish(false);
    dialog.showModal();
  });
}

/** The payment counts only once WeChat Pay notified the gateway and the settlement worker confirmed the booking. */
async function waitForPayment(b) {
  const id = b.bookingId;
  const inResult = state.resultBookingId === id;
  if (inResult) {
    showResult('info', '支付成功，确认中…', '等待微信支付通知网关，结算 worker 确认预约', `预约号 ${id}`);
    $('booking-result').querySelector('.result').classList.add('pending');
  } else {
    toast('支付成功，等待微信支付通知确认预约…', 'info');
  }
  const started = performance.now();
  let view = null;
  let delay = 200;
  while (performance.now() - started < PAY_POLL_TIMEOUT_MS) {
    await sleep(delay);
    delay = Math.min(delay * 1.5, 1000);
    try {
      view = await api(`/v1/bookings/${encodeURIComponent(id)}`, { token: state.consumer.token });
    } catch (error) {
      if (handleConsumerAuthError(error)) return;
      if (error.code === 'NETWORK' || error.status >= 500) continue;
      toast(describeError(error));
      return;
    }
    if (view.status !== 'AWAITING_PAYMENT') break;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (view?.status === 'CONFIRMED') {
    if (inResult) {
      const { when, what } = await bookingLines(view);
      showResult(
        'ok',
        `✓ 支付成功，${view.statusLabel}`,
        h('span', {}, '核销码 ', checkinCodeEl(view.checkinCode || '——'), ' 到店时出示给商家'),
        `${when} · ${what} · 已在线支付 ${price(view.amountDueFen)}`,
        `支付后 ${seconds} 秒确认 · 预约号 ${view.bookingId}`,
      );
    } else {
      toast(`支付成功，预约已确认 · 核销码 ${view.checkinCode}`, 'ok');
    }
  } else if (view?.status === 'AWAITING_PAYMENT') {
    const text = '已支付，尚未收到微信支付通知；系统会主动向微信支付查询，请稍后刷新';
    if (inResult) showResult('warn', '确认中', text, `预约号 ${id}`);
    else toast(text, 'info');
  } else if (view) {
    const reason = view.reason ? REASON_LABELS[view.reason] || view.reason : null;
    if (inResult) showResult('err', view.statusLabel || view.status, reason, `预约号 ${id}`);
    else toast([view.statusLabel || view.status, reason].filter(Boolean).join('：'));
  }
  refreshMyBookings();
  if (state.merchant) {
    refreshMerchantBookings({ quiet: true });
    refreshLedger();
  }
}

// ---------------------------------------------------------------------------
// Consumer: my bookings

async function refreshMyBookings() {
  if (!state.consumer) {
    renderMyBookings(null);
    return;
  }
  try {
    const { bookings } = await api('/v1/me/bookings', { token: state.consumer.token });
    await Promise.all([...new Set(bookings.map((b) => b.storeId))].map((id) => storeDetail(id).catch(() => null)));
    await renderMyBookings(bookings);
  } catch (error) {
    if (handleConsumerAuthError(error)) return;
    $('my-bookings').replaceChildren(h('p', { class: 'msg', dataset: { tone: 'err' } }, describeError(error)));
  }
}

async function bookingLines(b) {
  const store = await storeDetail(b.storeId).catch(() => null);
  const tz = store?.timezone || DEFAULT_TZ;
  const service = store?.services.find((s) => s.id === b.serviceId);
  const resource = store?.resources.find((r) => r.id === b.resourceId);
  const time = `${timeIn(tz, b.startAt)}–${timeIn(tz, b.endAt)}`;
  return {
    store,
    time,
    when: `${longDate(b.localDate)} ${time}`,
    what: [service?.name || `服务 #${b.serviceId}`, resource?.name, b.partySize > 1 ? `${b.partySize} 人` : null, price(b.priceFen)].filter(Boolean).join(' · '),
  };
}

const isCancellable = (b) => CANCELLABLE.has(b.status) && Date.parse(b.startAt) > Date.now();

function statusBadge(b) {
  return h('span', { class: `badge badge-${STATUS_TONE[b.status] || 'muted'}`, title: b.status }, b.statusLabel || b.status);
}

async function renderMyBookings(bookings) {
  const box = $('my-bookings');
  if (bookings === null) {
    box.replaceChildren(h('p', { class: 'muted' }, '登录后可查看您的预约。'));
    return;
  }
  if (bookings.length === 0) {
    box.replaceChildren(h('p', { class: 'muted' }, '还没有预约，选一个时段试试吧。'));
    return;
  }
  const items = await Promise.all(
    bookings.map(async (b) => {
      const { store, when, what } = await bookingLines(b);
      const tz = store?.timezone || DEFAULT_TZ;
      const reason = b.reason && b.status !== 'CONFIRMED' ? REASON_LABELS[b.reason] || b.reason : null;
      const quote = state.cancelQuote?.bookingId === b.bookingId ? state.cancelQuote.quote : null;
      const awaiting = b.status === 'AWAITING_PAYMENT' && b.amountDueFen > 0;
      return h(
        'li',
        { class: 'booking-item', dataset: { bookingId: b.bookingId, status: b.status } },
        h(
          'div',
          { class: 'grow' },
          h('div', { class: 'booking-title' }, h('strong', {}, store?.name || `门店 #${b.storeId}`), statusBadge(b)),
          h('div', { class: 'small' }, when),
          h('div', { class: 'muted small' }, what, reason ? ` · ${reason}` : ''),
          moneyLine(b),
          quote ? quoteBox(b, quote, tz) : null,
        ),
        h(
          'div',
          { class: 'item-actions' },
          awaiting && !quote
            ? h('button', { type: 'button', class: 'btn btn-wechat btn-sm', dataset: { payFor: b.bookingId }, disabled: state.paying === b.bookingId, onclick: () => payBooking(b) }, state.paying === b.bookingId ? '支付中…' : '去支付')
            : null,
          isCancellable(b) && !quote
            ? h('button', { type: 'button', class: 'btn btn-danger-ghost btn-sm', onclick: (e) => askCancel(b, e.currentTarget) }, '取消')
            : null,
        ),
      );
    }),
  );
  box.replaceChildren(h('ul', { class: 'booking-list' }, items));
}

/** What was or is to be paid online, the check-in code, or what a cancellation made on this page refunded. */
function moneyLine(b) {
  if (b.status === 'AWAITING_PAYMENT' && b.amountDueFen > 0) {
    return h(
      'div',
      { class: 'pay-due small' },
      `待支付${payKind(b)} `,
      h('strong', { class: 'amount-due' }, price(b.amountDueFen)),
      b.paymentDueAt ? [' · 剩余 ', countdownEl(b.paymentDueAt)] : null,
    );
  }
  const lines = [];
  if (b.status === 'CONFIRMED' && b.checkinCode) lines.push(h('div', { class: 'small code-line' }, '核销码 ', checkinCodeEl(b.checkinCode), h('span', { class: 'muted' }, ' 到店出示给商家')));
  if (PAID_STATUSES.has(b.status) && b.amountDueFen > 0) {
    lines.push(h('div', { class: 'muted small' }, `已在线支付${payKind(b)} ${price(b.amountDueFen)}`, b.amountDueFen < b.priceFen ? `，余款 ${price(b.priceFen - b.amountDueFen)} 到店支付` : ''));
  }
  const refund = state.refunds[b.bookingId];
  if (b.status === 'CANCELLED' && refund) {
    lines.push(
      h(
        'div',
        { class: 'small refund-line' },
        refund.refundFen > 0 ? ['退款 ', h('strong', {}, price(refund.refundFen)), ' 原路退回微信支付'] : '无退款',
        refund.feeFen > 0 ? h('span', { class: 'muted' }, `（${RULE_LABELS[refund.rule] || refund.rule}，扣除 ${price(refund.feeFen)}）`) : null,
      ),
    );
  }
  return lines;
}

function instantIn(tz, iso) {
  return `${longDate(localDateIn(tz, Date.parse(iso)))} ${timeIn(tz, iso)}`;
}

/** The cancellation quote, to be confirmed before anything happens. */
function quoteBox(b, quote, tz) {
  const lines = [];
  if (!quote.cancellable) {
    lines.push(h('p', {}, '该预约已开始或已结束，无法取消。'));
  } else if (quote.paidFen === 0) {
    lines.push(h('p', {}, b.status === 'AWAITING_PAYMENT' ? '尚未支付，取消不产生任何费用，名额将立即释放。' : '此预约无需在线支付，取消不产生任何费用。'));
  } else {
    const free = quote.rule === 'FREE_CANCELLATION' || quote.rule === 'MERCHANT_CANCELLED';
    lines.push(
      h(
        'p',
        {},
        h('span', { class: `badge badge-${free ? 'ok' : 'warn'}` }, RULE_LABELS[quote.rule] || quote.rule || '取消'),
        ` 已付 ${price(quote.paidFen)}`,
        quote.feeFen > 0 ? ` · 扣除 ${price(quote.feeFen)}` : '',
        ' · 退款 ',
        h('strong', { class: 'refund-amount' }, price(quote.refundFen)),
      ),
    );
    if (quote.freeUntil) {
      lines.push(
        h('p', { class: 'muted small' }, Date.parse(quote.freeUntil) > Date.now() ? `${instantIn(tz, quote.freeUntil)} 前取消可全额退款` : `免费取消已于 ${instantIn(tz, quote.freeUntil)} 截止`),
      );
    }
  }
  return h(
    'div',
    { class: 'quote', role: 'group', 'aria-label': '取消确认' },
    h('strong', { class: 'quote-title' }, '确认取消这条预约？'),
    lines,
    h(
      'div',
      { class: 'quote-actions' },
      h('button', { type: 'button', class: 'btn btn-danger-ghost btn-sm', disabled: !quote.cancellable, onclick: (e) => confirmCancel(b, quote, e.currentTarget) }, '确认取消'),
      h('button', { type: 'button', class: 'btn btn-ghost btn-sm', onclick: () => closeQuote() }, '再想想'),
    ),
  );
}

function closeQuote() {
  state.cancelQuote = null;
  refreshMyBookings();
}

/** 取消: first what it would refund (GET …/cancellation), then the cancellation itself on confirmation. */
async function askCancel(b, btn) {
  btn.disabled = true;
  btn.textContent = '查询中…';
  try {
    const quote = await api(`/v1/bookings/${encodeURIComponent(b.bookingId)}/cancellation`, { token: state.consumer.token });
    state.cancelQuote = { bookingId: b.bookingId, quote };
    await refreshMyBookings();
  } catch (error) {
    if (handleConsumerAuthError(error)) return;
    toast(describeError(error));
    btn.disabled = false;
    btn.textContent = '取消';
  }
}

async function confirmCancel(b, quote, btn) {
  btn.disabled = true;
  btn.textContent = '取消中…';
  try {
    const view = await api(`/v1/bookings/${encodeURIComponent(b.bookingId)}/cancel`, { method: 'POST', token: state.consumer.token, body: {} });
    state.cancelQuote = null;
    if (quote.paidFen > 0) {
      state.refunds[b.bookingId] = { refundFen: quote.refundFen, feeFen: quote.feeFen, rule: quote.rule };
      saveSession();
    }
    toast(quote.refundFen > 0 ? `预约${view.statusLabel || '已取消'}，退款 ${price(quote.refundFen)} 将原路退回` : `预约${view.statusLabel || '已取消'}`, 'ok');
    if (state.resultBookingId === b.bookingId) {
      state.resultBookingId = null;
      $('booking-result').replaceChildren();
    }
    await refreshMyBookings();
    if (state.store?.id === b.storeId) loadAvailability({ quiet: true });
    if (state.merchant) {
      refreshMerchantBookings({ quiet: true });
      refreshLedger();
      // The refund is booked when WeChat Pay reports it done (the fake takes about 3 s).
      if (quote.refundFen > 0) setTimeout(refreshLedger, 5000);
    }
  } catch (error) {
    if (handleConsumerAuthError(error)) return;
    toast(describeError(error));
    btn.disabled = false;
    btn.textContent = '确认取消';
  }
}

// ---------------------------------------------------------------------------
// Merchant

async function merchantLogin(event) {
  event.preventDefault();
  const btn = $('merchant-login-btn');
  const msg = $('merchant-msg');
  const username = $('merchant-user').value;
  btn.disabled = true;
  setMsg(msg, '正在登录…', 'info');
  try {
    const { token, expiresAt } = await api('/v1/merchant/auth/login', { method: 'POST', body: { username, password: $('merchant-password').value } });
    const claims = jwtPayload(token);
    state.merchant = { token, expiresAt, username, role: claims.role || 'staff', storeId: claims.sid ?? null };
    saveSession();
    setMsg(msg, '');
    await enterMerchant();
  } catch (error) {
    setMsg(msg, error.status === 401 ? '用户名或密码错误' : describeError(error));
  } finally {
    btn.disabled = false;
  }
}

function merchantLogout(message) {
  state.merchant = null;
  saveSession();
  $('merchant-area').hidden = true;
  $('merchant-login').hidden = false;
  if (message) setMsg($('merchant-msg'), message, 'warn');
}

function handleMerchantAuthError(error) {
  if (error instanceof ApiError && error.status === 401) {
    merchantLogout('商家登录已过期，请重新登录');
    return true;
  }
  return false;
}

async function enterMerchant() {
  const m = state.merchant;
  $('merchant-login').hidden = true;
  $('merchant-area').hidden = false;
  const canCancel = m.role === 'owner' || m.role === 'manager';
  $('merchant-info').replaceChildren(
    h('span', { class: 'avatar avatar-merchant', 'aria-hidden': 'true' }, (ROLE_LABELS[m.role] || '员').slice(0, 1)),
    h(
      'div',
      { class: 'grow' },
      h('div', {}, h('strong', {}, m.username), ` · ${ROLE_LABELS[m.role] || m.role}`),
      h('div', { class: 'muted small' }, canCancel ? '可核销、取消预约，标记未到店，查看账本' : '店员账号可核销与完成服务；取消、未到店与账本需店主或店长'),
    ),
    h('button', { type: 'button', class: 'btn btn-ghost btn-sm', onclick: () => merchantLogout() }, '退出'),
  );
  if (!$('merchant-date').value) $('merchant-date').value = localDateIn(DEFAULT_TZ);
  try {
    const { stores } = await api('/v1/merchant/stores', { token: m.token });
    state.merchantStores = stores;
    $('merchant-store').replaceChildren(...stores.map((s) => h('option', { value: s.id }, s.name)));
  } catch (error) {
    if (handleMerchantAuthError(error)) return;
    setMsg($('merchant-msg'), describeError(error));
  }
  enterMerchantNotify();
  await Promise.all([refreshMerchantBookings(), refreshLedger()]);
}

async function refreshMerchantBookings({ quiet = false } = {}) {
  const m = state.merchant;
  if (!m) return;
  const box = $('merchant-bookings');
  const storeId = Number($('merchant-store').value) || null;
  const date = $('merchant-date').value;
  if (!quiet) box.replaceChildren(h('p', { class: 'muted' }, '加载中…'));
  const params = new URLSearchParams({ limit: '500' });
  if (storeId) params.set('storeId', String(storeId));
  if (date) params.set('date', date);
  try {
    const { bookings } = await api(`/v1/merchant/bookings?${params}`, { token: m.token });
    // The list must only show the chosen day; filter here as well in case the server ignores `date`.
    const shown = date ? bookings.filter((b) => b.localDate === date) : bookings;
    const extra = bookings.length - shown.length;
    if (shown.length === 0) {
      box.replaceChildren(h('p', { class: 'empty' }, `${date ? longDate(date) : ''} 暂无预约。`));
      return;
    }
    const canCancel = m.role === 'owner' || m.role === 'manager';
    const rows = await Promise.all(
      shown.map(async (b) => {
        const { time, what } = await bookingLines(b);
        const reason = b.reason && b.status !== 'CONFIRMED' ? REASON_LABELS[b.reason] || b.reason : null;
        return h(
          'li',
          { class: 'booking-item', dataset: { bookingId: b.bookingId, status: b.status } },
          h(
            'div',
            { class: 'grow' },
            h('div', { class: 'booking-title' }, h('strong', {}, time), statusBadge(b)),
            h('div', { class: 'small' }, what),
            h(
              'div',
              { class: 'muted small' },
              `顾客 #${b.customer.id} · `,
              h('span', { class: 'phone' }, b.customer.phoneMasked || '未绑定手机号'),
              ` · ${merchantMoneyLabel(b)}`,
              reason ? ` · ${reason}` : '',
            ),
          ),
          h(
            'div',
            { class: 'item-actions' },
            b.status === 'CHECKED_IN'
              ? h('button', { type: 'button', class: 'btn btn-primary btn-sm', onclick: (e) => merchantAttendance(b, 'complete', e.currentTarget) }, '完成')
              : null,
            // A no-show can be marked once the start has passed (forfeits the deposit by the policy).
            canCancel && b.status === 'CONFIRMED' && Date.parse(b.startAt) <= Date.now()
              ? h('button', { type: 'button', class: 'btn btn-ghost btn-sm', onclick: (e) => merchantAttendance(b, 'no-show', e.currentTarget) }, '未到店')
              : null,
            canCancel && isCancellable(b)
              ? h('button', { type: 'button', class: 'btn btn-danger-ghost btn-sm', onclick: (e) => merchantCancel(b, e.currentTarget) }, '取消')
              : null,
          ),
        );
      }),
    );
    const active = shown.filter((b) => CANCELLABLE.has(b.status) || b.status === 'CHECKED_IN' || b.status === 'COMPLETED').length;
    box.replaceChildren(
      h('p', { class: 'muted small' }, `${longDate(date)} 共 ${shown.length} 条，其中有效 ${active} 条${extra > 0 ? `（已隐藏其他日期的 ${extra} 条）` : ''}`),
      h('ul', { class: 'booking-list' }, rows),
    );
  } catch (error) {
    if (handleMerchantAuthError(error)) return;
    box.replaceChildren(h('p', { class: 'msg', dataset: { tone: 'err' } }, describeError(error)));
  }
}

function merchantMoneyLabel(b) {
  if (!(b.amountDueFen > 0)) return '到店付款';
  const kind = payKind(b);
  if (b.status === 'AWAITING_PAYMENT') return `待顾客支付${kind} ${price(b.amountDueFen)}`;
  if (PAID_STATUSES.has(b.status)) return `已在线收${kind} ${price(b.amountDueFen)}`;
  return `在线${kind} ${price(b.amountDueFen)}`;
}

const ATTENDANCE_DONE = { complete: '服务已完成', 'no-show': '已标记未到店' };

async function merchantAttendance(b, action, btn) {
  if (action === 'no-show' && !confirm(`确定将顾客 #${b.customer.id} 标记为未到店吗？定金按规则不予退还。`)) return;
  const label = btn.textContent;
  btn.disabled = true;
  btn.textContent = '处理中…';
  try {
    await api(`/v1/merchant/bookings/${encodeURIComponent(b.bookingId)}/${action}`, { method: 'POST', token: state.merchant.token, body: {} });
    toast(ATTENDANCE_DONE[action], 'ok');
    await refreshMerchantBookings({ quiet: true });
    refreshLedger();
    if (state.consumer) refreshMyBookings();
  } catch (error) {
    if (handleMerchantAuthError(error)) return;
    toast(describeError(error));
    btn.disabled = false;
    btn.textContent = label;
  }
}

/** 核销: the customer shows the 6-digit code; it finds today's confirmed booking in the caller's stores. */
async function merchantCheckIn(event) {
  event.preventDefault();
  const m = state.merchant;
  if (!m) return;
  const input = $('checkin-code');
  const msg = $('checkin-msg');
  const btn = $('checkin-btn');
  const code = input.value.trim();
  if (!/^\d{6}$/.test(code)) {
    setMsg(msg, '核销码为 6 位数字');
    input.focus();
    return;
  }
  btn.disabled = true;
  setMsg(msg, '核销中…', 'info');
  try {
    const view = await api('/v1/merchant/check-in', { method: 'POST', token: m.token, body: { code } });
    const { when, what } = await bookingLines(view);
    setMsg(msg, `✓ 核销成功（${view.statusLabel}）：顾客 #${view.customer.id} · ${when} · ${what}`, 'ok');
    input.value = '';
    await refreshMerchantBookings({ quiet: true });
    if (state.consumer) refreshMyBookings();
  } catch (error) {
    if (handleMerchantAuthError(error)) return;
    setMsg(msg, describeError(error));
  } finally {
    btn.disabled = false;
  }
}

/** 账本: the day's money movements (payments in, refunds out) of the chosen store, with totals. */
async function refreshLedger() {
  const m = state.merchant;
  if (!m) return;
  const box = $('ledger');
  const date = $('merchant-date').value || localDateIn(DEFAULT_TZ);
  $('ledger-range').textContent = `· ${longDate(date)}`;
  const managers = m.role === 'owner' || m.role === 'manager';
  $('ledger-refresh').hidden = !managers;
  if (!managers) {
    box.replaceChildren(h('p', { class: 'muted small' }, '账本仅店主或店长可查看。'));
    return;
  }
  const params = new URLSearchParams({ from: date, to: date, limit: '100' });
  const storeId = Number($('merchant-store').value) || null;
  if (storeId) params.set('storeId', String(storeId));
  try {
    const ledger = await api(`/v1/merchant/ledger?${params}`, { token: m.token });
    const { receivedFen, refundedFen, netFen } = ledger.totals;
    const tile = (label, fen, tone) => h('div', { class: 'metric ledger-total', dataset: { tone } }, h('span', { class: 'metric-label' }, label), h('span', { class: 'metric-value' }, price(fen)));
    const signed = (fen) => `${fen > 0 ? '+' : ''}${price(fen)}`;
    box.replaceChildren(
      h('div', { class: 'ledger-totals' }, tile('收款', receivedFen, 'ok'), tile('退款', refundedFen, refundedFen > 0 ? 'warn' : ''), tile('净收入', netFen, '')),
      ledger.entries.length
        ? h(
            'ul',
            { class: 'ledger-list' },
            ledger.entries.map((e) =>
              h(
                'li',
                { class: 'ledger-entry', dataset: { kind: e.kind } },
                h('span', { class: 'ledger-time' }, timeIn(ledger.timezone, e.occurredAt)),
                h('span', { class: `badge badge-${e.kind === 'PAYMENT' ? 'ok' : 'warn'}` }, LEDGER_KIND_LABELS[e.kind] || e.kind),
                h('span', { class: 'muted small grow ledger-ref', title: `预约 ${e.bookingId} · 微信支付 ${e.providerRef}` }, `预约 …${e.bookingId.slice(-12)}`),
                h('span', { class: 'ledger-amount' }, signed(e.amountFen)),
              ),
            ),
          )
        : h('p', { class: 'empty' }, '当日暂无资金流水。'),
      h('p', { class: 'muted small ledger-note' }, '收款在微信支付通知到达后记账，退款在微信支付确认退款成功后记账。'),
    );
  } catch (error) {
    if (handleMerchantAuthError(error)) return;
    box.replaceChildren(h('p', { class: 'msg', dataset: { tone: 'err' } }, describeError(error)));
  }
}

async function merchantCancel(b, btn) {
  if (!confirm(`确定取消顾客 #${b.customer.id} 的这条预约吗？`)) return;
  btn.disabled = true;
  btn.textContent = '取消中…';
  try {
    await api(`/v1/merchant/bookings/${encodeURIComponent(b.bookingId)}/cancel`, { method: 'POST', token: state.merchant.token, body: {} });
    toast('已为顾客取消预约', 'ok');
    await refreshMerchantBookings({ quiet: true });
    refreshLedger();
    setTimeout(refreshLedger, 5000);
    if (state.consumer) refreshMyBookings();
    if (state.store?.id === b.storeId) loadAvailability({ quiet: true });
  } catch (error) {
    if (handleMerchantAuthError(error)) return;
    toast(describeError(error));
    btn.disabled = false;
    btn.textContent = '取消';
  }
}

// ---------------------------------------------------------------------------
// Notifications: the customer's messages, phone, subscribe consents and SMS opt-out;
// the merchant's messages, settings, wording and delivery statistics.

const NOTIFY_POLL_MS = 4000;
const NOTICE_KIND_LABELS = {
  BOOKING_CONFIRMED: '预约成功',
  BOOKING_CHANGED: '预约改期',
  BOOKING_CANCELLED: '预约取消',
  PAYMENT_RECEIVED: '支付成功',
  REFUND_ISSUED: '退款',
  PAYMENT_EXPIRED: '支付超时',
  WAITLIST_OFFER: '候补空位',
  REMINDER: '到店提醒',
  REVIEW_REQUEST: '评价邀请',
  NEW_BOOKING: '新预约',
  BOOKING_CANCELLED_BY_CUSTOMER: '顾客取消',
  DAILY_DIGEST: '明日汇总',
  WEEKLY_REPORT: '周报',
};
const NOTICE_KIND_TONE = { BOOKING_CONFIRMED: 'ok', NEW_BOOKING: 'ok', PAYMENT_RECEIVED: 'ok', REMINDER: 'info', DAILY_DIGEST: 'info', WEEKLY_REPORT: 'info', BOOKING_CANCELLED: 'warn', BOOKING_CANCELLED_BY_CUSTOMER: 'warn', PAYMENT_EXPIRED: 'warn', REFUND_ISSUED: 'warn' };
/** Names of the subscribe templates as the WeChat popup shows them. */
const SUBSCRIBE_KIND_LABELS = {
  BOOKING_CONFIRMED: '预约成功通知',
  BOOKING_CHANGED: '预约变更通知',
  BOOKING_CANCELLED: '预约取消通知',
  REMINDER: '预约到店提醒',
  REFUND_ISSUED: '退款到账通知',
  REVIEW_REQUEST: '服务评价邀请',
};
/** What the mini program asks for when the customer books (wx.requestSubscribeMessage takes at most 3 templates). */
const SUBSCRIBE_ON_BOOKING = ['BOOKING_CONFIRMED', 'REMINDER', 'BOOKING_CANCELLED'];
const SUBSCRIBE_FIELD_LABELS = { thing1: '服务项目', thing2: '门店', time3: '预约时间', amount3: '退款金额', thing4: '备注' };
const CHANNEL_LABELS = { subscribe: '微信订阅消息', sms: '短信', inapp: '站内消息', none: '尚未发送' };
const STATS_REASON_LABELS = {
  OPTED_OUT: '顾客已关闭通知',
  NO_CHANNEL: '无可用渠道（未订阅、未绑定手机）',
  DISABLED_BY_MERCHANT: '商家已停用该通知',
  NO_RECIPIENT: '无接收人',
  QUIET_HOURS: '免打扰时段，顺延发送',
  SMS_OUTCOME_UNKNOWN: '短信结果未知（未重发以免重复）',
};
/** A planned message whose booking moved on (e.g. the reminder of a cancelled booking) is skipped with the booking's status. */
const STALE_STATUS_LABELS = { CANCELLED: '预约已取消', CHECKED_IN: '顾客已到店', COMPLETED: '服务已完成', EXPIRED: '预约已过期', NO_SHOW: '顾客未到店', REJECTED: '预约失败' };

function statsReasonLabel(reason) {
  if (STATS_REASON_LABELS[reason]) return STATS_REASON_LABELS[reason];
  const stale = /^BOOKING_([A-Z_]+)$/.exec(reason);
  if (stale && STALE_STATUS_LABELS[stale[1]]) return `${STALE_STATUS_LABELS[stale[1]]}，不再发送`;
  if (reason.startsWith('SMS_UNDELIVERED:')) return `未送达（运营商回执 ${reason.slice('SMS_UNDELIVERED:'.length)}）`;
  if (reason.startsWith('SMS_')) return `短信平台拒绝（${reason.slice(4)}）`;
  return reason;
}
const REMINDER_PRESETS = [1440, 720, 120, 60, 30];

/** The fake Tencent Cloud SMS: `?sms=` (npm run stack prints it when the port is not the default), else port 9104 next to the gateway. */
function defaultSmsBase() {
  const fromQuery = new URLSearchParams(location.search).get('sms');
  if (fromQuery) return fromQuery.replace(/\/+$/, '');
  const host = location.hostname === 'localhost' || location.hostname === '' ? '127.0.0.1' : location.hostname;
  return `http://${host.includes(':') ? `[${host}]` : host}:9104`;
}

function smsBase() {
  return ($('sms-base').value.trim() || defaultSmsBase()).replace(/\/+$/, '');
}

function wechatBase() {
  return state.wechatBase || ($('wechat-base').value.trim() || defaultWechatBase()).replace(/\/+$/, '');
}

/** The demo user's "phone": bound number, openid (known once the subscribe popup ran), SMS switch. */
function device() {
  if (!state.consumer) return {};
  return (state.devices[state.consumer.user] ??= {});
}

function minutesToHm(minute) {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

function hmToMinutes(text) {
  const m = /^\s*(\d{1,2}):(\d{2})\s*$/.exec(String(text || ''));
  if (!m) return null;
  const [hh, mm] = [Number(m[1]), Number(m[2])];
  return hh < 24 && mm < 60 ? hh * 60 + mm : null;
}

function offsetLabel(minutes) {
  if (minutes % 1440 === 0) return `${minutes / 1440 === 1 ? 24 : minutes / 60} 小时前`;
  if (minutes % 60 === 0) return `${minutes / 60} 小时前`;
  return `${minutes} 分钟前`;
}

/** "今天 09:12" / "11月30日 09:12" in China time. */
function shortInstant(isoOrMs) {
  const ms = typeof isoOrMs === 'number' ? isoOrMs : Date.parse(isoOrMs);
  const iso = new Date(ms).toISOString();
  const date = localDateIn(DEFAULT_TZ, ms);
  const { month, day } = dateParts(date);
  return `${date === localDateIn(DEFAULT_TZ) ? '今天' : `${month}月${day}日`} ${timeIn(DEFAULT_TZ, iso)}`;
}

function randomPhone() {
  const digits = crypto.getRandomValues(new Uint8Array(8));
  return `139${Array.from(digits, (b) => b % 10).join('')}`;
}

function setBellCount(el, unread) {
  el.textContent = unread > 99 ? '99+' : String(unread);
  el.hidden = !(unread > 0);
}

/** One notice, with 标为已读 while unread. */
function noticeItem(n, markRead) {
  return h(
    'li',
    { class: 'notice', dataset: { noticeId: n.id, kind: n.kind, read: String(n.read) } },
    h(
      'div',
      { class: 'grow' },
      h(
        'div',
        { class: 'notice-title' },
        n.read ? null : h('span', { class: 'unread-dot', title: '未读' }),
        h('span', { class: `badge badge-${NOTICE_KIND_TONE[n.kind] || 'muted'}` }, NOTICE_KIND_LABELS[n.kind] || n.kind),
        h('strong', {}, n.title),
        h('span', { class: 'muted small notice-time' }, shortInstant(n.createdAt)),
      ),
      h('div', { class: 'small notice-body' }, n.body),
    ),
    n.read ? null : h('button', { type: 'button', class: 'btn btn-ghost btn-sm', onclick: (e) => markRead([n.id], e.currentTarget) }, '标为已读'),
  );
}

function noticeList(notices, unread, markRead, emptyText) {
  if (notices.length === 0) return [h('p', { class: 'empty' }, emptyText)];
  return [
    h(
      'div',
      { class: 'notice-head' },
      h('span', { class: 'muted small' }, unread > 0 ? `${unread} 条未读` : '全部已读'),
      unread > 0 ? h('button', { type: 'button', class: 'btn btn-ghost btn-sm', onclick: (e) => markRead('all', e.currentTarget) }, '全部已读') : null,
    ),
    h('ul', { class: 'notice-list' }, notices.map((n) => noticeItem(n, markRead))),
  ];
}

// ---- customer -------------------------------------------------------------

const notifySeen = { consumer: '', merchant: '', device: '' };

function renderNotifyBlock() {
  const block = $('notify-block');
  if (!state.consumer) {
    block.hidden = true;
    notifySeen.consumer = '';
    notifySeen.device = '';
    return;
  }
  block.hidden = false;
  renderPhoneCard();
  renderSubscribeCard();
  renderPrefsCard();
}

function renderPhoneCard() {
  const d = device();
  const card = $('phone-card');
  if (d.phoneMasked && !d.rebinding) {
    card.replaceChildren(
      h('div', { class: 'notify-card-title' }, '手机号'),
      h('div', {}, h('strong', { class: 'phone', id: 'bound-phone' }, d.phoneMasked), h('span', { class: 'muted small' }, ' 已绑定，可接收短信')),
      h('button', { type: 'button', class: 'btn btn-ghost btn-sm', onclick: () => { d.rebinding = true; renderPhoneCard(); } }, '换绑'),
    );
    return;
  }
  const input = h('input', { id: 'bind-phone-input', type: 'tel', inputmode: 'numeric', maxlength: '11', value: d.phone || randomPhone(), 'aria-label': '手机号（演示）', autocomplete: 'off' });
  card.replaceChildren(
    h('div', { class: 'notify-card-title' }, '手机号'),
    h('div', { class: 'muted small' }, '未绑定：没有订阅授权时，通知改发短信。'),
    h('div', { class: 'row' }, input, h('button', { type: 'button', class: 'btn btn-wechat btn-sm', id: 'bind-phone-btn', onclick: (e) => bindPhone(input.value.trim(), e.currentTarget) }, '绑定手机')),
  );
}

/** 绑定手机: the fake WeChat hands out the getPhoneNumber code, the gateway fetches the number with it. */
async function bindPhone(phone, btn) {
  if (!/^1\d{10}$/.test(phone)) {
    toast('请输入 11 位中国大陆手机号');
    return;
  }
  btn.disabled = true;
  btn.textContent = '绑定中…';
  try {
    let code;
    try {
      ({ code } = await api(`${wechatBase()}/__fake__/phone-code`, { method: 'POST', body: { phone } }));
    } catch (error) {
      if (error.code === 'NETWORK') throw new ApiError(`无法连接假微信服务（${wechatBase()}）`);
      throw error;
    }
    const { phoneMasked } = await api('/v1/me/phone', { method: 'POST', token: state.consumer.token, body: { code } });
    Object.assign(device(), { phone, phoneMasked, rebinding: false });
    saveSession();
    toast(`已绑定手机 ${phoneMasked}`, 'ok');
    renderPhoneCard();
    if (state.merchant) refreshMerchantBookings({ quiet: true });
  } catch (error) {
    if (handleConsumerAuthError(error)) return;
    toast(describeError(error));
    btn.disabled = false;
    btn.textContent = '绑定手机';
  }
}

function renderSubscribeCard() {
  const card = $('subscribe-card');
  const subs = state.subscriptions;
  const left = subs ? subs.filter((t) => t.remaining > 0) : [];
  card.replaceChildren(
    h('div', { class: 'notify-card-title' }, '微信订阅消息'),
    h(
      'div',
      { class: 'muted small', id: 'subscribe-summary' },
      subs === null ? '加载中…' : left.length ? `剩余授权：${left.map((t) => `${SUBSCRIBE_KIND_LABELS[t.kind] || t.kind} ×${t.remaining}`).join('、')}` : '暂无授权：通知将改发短信。',
    ),
    h('button', { type: 'button', class: 'btn btn-wechat btn-sm', id: 'subscribe-btn', disabled: !subs || subs.length === 0, onclick: () => requestSubscribe() }, '订阅提醒'),
  );
}

async function refreshSubscriptions() {
  if (!state.consumer) return;
  try {
    const { templates } = await api('/v1/me/subscriptions', { token: state.consumer.token });
    state.subscriptions = templates;
  } catch (error) {
    if (handleConsumerAuthError(error)) return;
    state.subscriptions = [];
  }
  renderSubscribeCard();
}

/** 订阅提醒: the stand-in for wx.requestSubscribeMessage(), then the accepted template ids to the gateway. */
async function requestSubscribe() {
  const templates = state.subscriptions || [];
  if (templates.length === 0) {
    toast('网关未配置订阅消息模板（SUBSCRIBE_TEMPLATES）');
    return;
  }
  const wanted = templates.filter((t) => SUBSCRIBE_ON_BOOKING.includes(t.kind));
  const offered = (wanted.length ? wanted : templates).slice(0, 3);
  const dialog = $('subscribe-sheet');
  const msg = $('subscribe-sheet-msg');
  const allow = $('subscribe-sheet-allow');
  $('subscribe-options').replaceChildren(
    ...offered.map((t) =>
      h(
        'li',
        {},
        h(
          'label',
          { class: 'subscribe-option' },
          h('span', { class: 'grow' }, SUBSCRIBE_KIND_LABELS[t.kind] || t.kind, h('span', { class: 'muted small mono' }, ` ${t.templateId}`)),
          h('input', { type: 'checkbox', checked: true, value: t.templateId, dataset: { kind: t.kind } }),
        ),
      ),
    ),
  );
  setMsg(msg, '');
  allow.disabled = false;
  allow.textContent = '允许';
  dialog.onclose = null;
  allow.onclick = async () => {
    const accepted = [...$('subscribe-options').querySelectorAll('input:checked')].map((i) => i.value);
    if (accepted.length === 0) {
      dialog.close();
      return;
    }
    allow.disabled = true;
    allow.textContent = '授权中…';
    try {
      // What the phone does: WeChat records one consent per accepted template…
      for (const templateId of accepted) {
        let answer;
        try {
          answer = await api(`${wechatBase()}/__fake__/subscribe-consent`, { method: 'POST', body: { user: state.consumer.user, templateId } });
        } catch (error) {
          if (error.code === 'NETWORK') throw new ApiError(`无法连接假微信服务（${wechatBase()}）`);
          throw error;
        }
        device().openid = answer.openid;
      }
      // …and the mini program reports the 'accept' results to us.
      await api('/v1/me/subscriptions', { method: 'POST', token: state.consumer.token, body: { accepted } });
      saveSession();
      dialog.close();
      toast(`已订阅 ${accepted.length} 项提醒，各可接收一次`, 'ok');
      await refreshSubscriptions();
    } catch (error) {
      if (handleConsumerAuthError(error)) {
        dialog.close();
        return;
      }
      setMsg(msg, describeError(error));
      allow.disabled = false;
      allow.textContent = '允许';
    }
  };
  dialog.showModal();
}

function renderPrefsCard() {
  const d = device();
  const box = h('input', { type: 'checkbox', id: 'sms-optin', checked: !d.smsOff });
  box.addEventListener('change', () => setSmsOptOut(!box.checked, box));
  $('prefs-card').replaceChildren(
    h('div', { class: 'notify-card-title' }, '通知设置'),
    h('label', { class: 'switch' }, box, h('span', {}, '接收短信通知')),
    h('div', { class: 'muted small' }, d.smsOff ? '已关闭：不再给您发短信（站内消息照常）。' : '关闭后所有商家都不会再给您发短信。'),
  );
}

async function setSmsOptOut(optedOut, box) {
  box.disabled = true;
  try {
    await api('/v1/me/notification-preferences', { method: 'PUT', token: state.consumer.token, body: { merchantId: 0, channel: 'sms', optedOut } });
    device().smsOff = optedOut;
    saveSession();
    toast(optedOut ? '已关闭短信通知' : '已开启短信通知', 'ok');
  } catch (error) {
    if (handleConsumerAuthError(error)) return;
    toast(describeError(error));
  }
  renderPrefsCard();
}

async function refreshConsumerNotices({ quiet = false } = {}) {
  if (!state.consumer) return;
  const box = $('consumer-notices');
  if (!quiet) notifySeen.consumer = '';
  try {
    const { notices, unread } = await api('/v1/me/notices?limit=20', { token: state.consumer.token });
    setBellCount($('consumer-unread'), unread);
    const seen = JSON.stringify([notices, unread]);
    if (seen === notifySeen.consumer) return;
    notifySeen.consumer = seen;
    box.replaceChildren(...noticeList(notices, unread, markConsumerRead, '暂无消息：预约、取消、提醒都会出现在这里。'));
  } catch (error) {
    if (handleConsumerAuthError(error)) return;
    if (!quiet) box.replaceChildren(h('p', { class: 'msg', dataset: { tone: 'err' } }, describeError(error)));
  }
}

async function markConsumerRead(ids, btn) {
  if (btn) btn.disabled = true;
  try {
    await api('/v1/me/notices/read', { method: 'POST', token: state.consumer.token, body: ids === 'all' ? { all: true } : { ids } });
  } catch (error) {
    if (handleConsumerAuthError(error)) return;
    toast(describeError(error));
  }
  await refreshConsumerNotices();
}

/** What the demo user's phone received: SMS from the fake Tencent Cloud, service notifications from the fake WeChat. */
async function refreshDeviceInbox() {
  const box = $('device-messages');
  if (!state.consumer || !$('device-inbox').open) return;
  const d = device();
  const [sms, subscribe] = await Promise.all([
    d.phone ? api(`${smsBase()}/__fake__/sent`).catch((error) => error) : Promise.resolve([]),
    d.openid ? api(`${wechatBase()}/__fake__/subscribe-messages`).catch((error) => error) : Promise.resolve([]),
  ]);
  const seen = JSON.stringify([d.phone, d.openid, sms instanceof Error ? sms.message : sms.length, subscribe instanceof Error ? subscribe.message : subscribe.length, Array.isArray(sms) ? sms.filter((m) => m.report).length : 0]);
  if (seen === notifySeen.device) return;
  notifySeen.device = seen;
  const mySms = Array.isArray(sms) ? sms.filter((m) => m.phone === `+86${d.phone}`).reverse().slice(0, 10) : [];
  const myPushes = Array.isArray(subscribe) ? subscribe.filter((m) => m.touser === d.openid).reverse().slice(0, 10) : [];
  const kindOfTemplate = new Map((state.subscriptions || []).map((t) => [t.templateId, t.kind]));
  box.replaceChildren(
    h('h4', { class: 'sub-title' }, '短信', d.phone ? h('span', { class: 'muted small' }, ` · ${d.phoneMasked || d.phone}`) : null),
    sms instanceof Error
      ? h('p', { class: 'msg', dataset: { tone: 'err' } }, `无法读取假腾讯云短信（${smsBase()}）：${sms.message}`)
      : !d.phone
        ? h('p', { class: 'muted small' }, '绑定手机后，这里显示收到的短信。')
        : mySms.length
          ? h(
              'ul',
              { class: 'device-list' },
              mySms.map((m) =>
                h(
                  'li',
                  { class: 'device-msg sms-msg' },
                  h('div', { class: 'small' }, m.content),
                  h(
                    'div',
                    { class: 'muted small' },
                    `${shortInstant(m.acceptedAt)} · 模板 ${m.templateId} · `,
                    m.report
                      ? h('span', { class: `badge badge-${m.report.status === 'SUCCESS' ? 'ok' : 'err'}` }, m.report.status === 'SUCCESS' ? '已送达' : `未送达 ${m.report.errmsg}`)
                      : h('span', { class: 'badge badge-info' }, '等待回执'),
                  ),
                ),
              ),
            )
          : h('p', { class: 'muted small' }, '还没有收到短信。'),
    h('h4', { class: 'sub-title' }, '微信服务通知（订阅消息）'),
    subscribe instanceof Error
      ? h('p', { class: 'msg', dataset: { tone: 'err' } }, `无法读取假微信（${wechatBase()}）：${subscribe.message}`)
      : !d.openid
        ? h('p', { class: 'muted small' }, '点“订阅提醒”授权后，这里显示收到的服务通知。')
        : myPushes.length
          ? h(
              'ul',
              { class: 'device-list' },
              myPushes.map((m) =>
                h(
                  'li',
                  { class: 'device-msg push-msg' },
                  h('strong', { class: 'small' }, SUBSCRIBE_KIND_LABELS[kindOfTemplate.get(m.templateId)] || m.templateId),
                  h('dl', { class: 'push-fields' }, Object.entries(m.data).flatMap(([k, v]) => [h('dt', {}, SUBSCRIBE_FIELD_LABELS[k] || k), h('dd', {}, v)])),
                  h('div', { class: 'muted small' }, shortInstant(m.sentAt)),
                ),
              ),
            )
          : h('p', { class: 'muted small' }, '还没有收到服务通知。'),
  );
}

/** After login (or reload): the card states, the notices and the consents. */
function enterConsumerNotify() {
  renderNotifyBlock();
  state.subscriptions = null;
  renderSubscribeCard();
  refreshConsumerNotices();
  refreshSubscriptions();
}

// ---- merchant -------------------------------------------------------------

const isManager = (m) => m && (m.role === 'owner' || m.role === 'manager');

function selectMerchantTab(tab) {
  state.merchantTab = tab;
  for (const chip of $('merchant-notify-tabs').querySelectorAll('.chip')) chip.setAttribute('aria-selected', String(chip.dataset.tab === tab));
  for (const pane of document.querySelectorAll('.notify-merchant [data-pane]')) pane.hidden = pane.dataset.pane !== tab;
  if (tab === 'notices') refreshMerchantNotices();
  else if (tab === 'settings') loadMerchantSettings();
  else if (tab === 'templates') loadMerchantTemplates();
  else if (tab === 'stats') refreshMerchantStats();
}

async function refreshMerchantNotices({ quiet = false } = {}) {
  const m = state.merchant;
  if (!m) return;
  const box = $('mn-notices');
  if (!quiet) notifySeen.merchant = '';
  try {
    const { notices, unread } = await api('/v1/merchant/notices?limit=20', { token: m.token });
    setBellCount($('merchant-unread'), unread);
    const seen = JSON.stringify([notices, unread]);
    if (seen === notifySeen.merchant) return;
    notifySeen.merchant = seen;
    box.replaceChildren(...noticeList(notices, unread, markMerchantRead, '暂无消息：新预约、顾客取消与每日汇总会出现在这里。'));
  } catch (error) {
    if (handleMerchantAuthError(error)) return;
    if (!quiet) box.replaceChildren(h('p', { class: 'msg', dataset: { tone: 'err' } }, describeError(error)));
  }
}

async function markMerchantRead(ids, btn) {
  if (btn) btn.disabled = true;
  try {
    await api('/v1/merchant/notices/read', { method: 'POST', token: state.merchant.token, body: ids === 'all' ? { all: true } : { ids } });
  } catch (error) {
    if (handleMerchantAuthError(error)) return;
    toast(describeError(error));
  }
  await refreshMerchantNotices();
}

async function loadMerchantSettings() {
  const m = state.merchant;
  if (!m) return;
  const box = $('mn-settings');
  box.replaceChildren(h('p', { class: 'muted small' }, '加载中…'));
  let s;
  try {
    s = await api('/v1/merchant/notification-settings', { token: m.token });
  } catch (error) {
    if (handleMerchantAuthError(error)) return;
    box.replaceChildren(h('p', { class: 'msg', dataset: { tone: 'err' } }, describeError(error)));
    return;
  }
  const canEdit = isManager(m);
  const offsets = [...new Set([...REMINDER_PRESETS, ...s.reminderOffsetsMinutes])].sort((a, b) => b - a);
  const offsetBoxes = offsets.map((min) => h('label', { class: 'check-chip' }, h('input', { type: 'checkbox', name: 'offset', value: min, checked: s.reminderOffsetsMinutes.includes(min), disabled: !canEdit }), offsetLabel(min)));
  // HH:MM text: <input type="time"> follows the browser's UI language (e.g. "09:00 PM").
  const time = (id, minute) => h('input', { id, class: 'hm-input', type: 'text', inputmode: 'numeric', maxlength: '5', pattern: '([01]\\d|2[0-3]):[0-5]\\d', placeholder: '21:00', value: minutesToHm(minute), disabled: !canEdit, required: true });
  const msg = h('p', { class: 'msg', role: 'status' });
  const form = h(
    'form',
    { class: 'notify-settings', id: 'notify-settings-form', novalidate: true },
    h('fieldset', { class: 'setting-row' }, h('legend', {}, '到店提醒（最多 4 个）'), h('div', { class: 'check-chips' }, offsetBoxes)),
    h(
      'div',
      { class: 'row wrap-row' },
      h('label', { class: 'field' }, h('span', {}, '短信免打扰 开始'), time('quiet-start', s.quietHours.startMinute)),
      h('label', { class: 'field' }, h('span', {}, '结束'), time('quiet-end', s.quietHours.endMinute)),
      h('label', { class: 'field' }, h('span', {}, '每日汇总时间'), time('digest-time', s.digestMinute)),
      h('label', { class: 'field' }, h('span', {}, '评价邀请（服务后分钟）'), h('input', { id: 'review-delay', type: 'number', min: '0', max: String(7 * 1440), value: s.reviewDelayMinutes, disabled: !canEdit })),
    ),
    h('p', { class: 'muted small' }, '免打扰时段内的短信顺延到结束时发送；若预约在此之前开始则立即发送。站内消息不受影响。'),
    h(
      'fieldset',
      { class: 'setting-row' },
      h('legend', {}, '推送渠道'),
      h('label', { class: 'switch' }, h('input', { type: 'checkbox', id: 'ch-subscribe', checked: s.subscribeEnabled, disabled: !canEdit }), h('span', {}, '微信订阅消息（顾客授权后优先）')),
      h('label', { class: 'switch' }, h('input', { type: 'checkbox', id: 'ch-sms', checked: s.smsEnabled, disabled: !canEdit }), h('span', {}, '短信（无授权时发送，按条计费）')),
    ),
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit', class: 'btn btn-primary btn-sm', disabled: !canEdit }, '保存设置'),
      canEdit ? null : h('span', { class: 'muted small' }, '仅店主或店长可修改'),
    ),
    msg,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = [...form.querySelectorAll('input[name="offset"]:checked')].map((i) => Number(i.value));
    if (chosen.length > 4) {
      setMsg(msg, '提醒时间最多选 4 个');
      return;
    }
    const body = {
      reminderOffsetsMinutes: chosen,
      quietHours: { startMinute: hmToMinutes($('quiet-start').value), endMinute: hmToMinutes($('quiet-end').value) },
      reviewDelayMinutes: Number($('review-delay').value) || 0,
      digestMinute: hmToMinutes($('digest-time').value),
      smsEnabled: $('ch-sms').checked,
      subscribeEnabled: $('ch-subscribe').checked,
    };
    if (body.quietHours.startMinute === null || body.quietHours.endMinute === null || body.digestMinute === null) {
      setMsg(msg, '时间请按 24 小时制填写，如 21:00');
      return;
    }
    setMsg(msg, '保存中…', 'info');
    try {
      const saved = await api('/v1/merchant/notification-settings', { method: 'PUT', token: m.token, body });
      setMsg(msg, `✓ 已保存：提醒 ${saved.reminderOffsetsMinutes.map(offsetLabel).join('、') || '不提醒'}；此后新安排的通知按新设置发送`, 'ok');
    } catch (error) {
      if (handleMerchantAuthError(error)) return;
      setMsg(msg, describeError(error));
    }
  });
  box.replaceChildren(form);
}

let smsTemplateTexts = null; // the fake SMS's template texts, for showing the SMS as the phone would

async function loadMerchantTemplates() {
  const m = state.merchant;
  if (!m) return;
  const box = $('mn-templates');
  box.replaceChildren(h('p', { class: 'muted small' }, '加载中…'));
  let templates;
  try {
    ({ templates } = await api('/v1/merchant/notification-templates', { token: m.token }));
  } catch (error) {
    if (handleMerchantAuthError(error)) return;
    box.replaceChildren(h('p', { class: 'msg', dataset: { tone: 'err' } }, describeError(error)));
    return;
  }
  if (smsTemplateTexts === null) {
    smsTemplateTexts = api(`${smsBase()}/__fake__/health`)
      .then((health) => ({ sign: health.signName, texts: Object.fromEntries(Object.entries(health.templates || {}).map(([id, t]) => [id, t.text])) }))
      .catch(() => ({ sign: null, texts: {} }));
  }
  const canEdit = isManager(m);
  const kind = state.templateKind && templates.some((t) => t.kind === state.templateKind) ? state.templateKind : 'BOOKING_CONFIRMED';
  const t = templates.find((x) => x.kind === kind) || templates[0];
  const select = h(
    'select',
    { id: 'template-kind' },
    templates.map((x) => h('option', { value: x.kind, selected: x.kind === t.kind }, `${NOTICE_KIND_LABELS[x.kind] || x.kind}（${x.audience === 'customer' ? '发给顾客' : '发给商家'}）${x.custom ? ' · 已自定义' : ''}`)),
  );
  select.addEventListener('change', () => {
    state.templateKind = select.value;
    loadMerchantTemplates();
  });
  const title = h('input', { id: 'template-title', type: 'text', maxlength: '40', value: t.title, disabled: !canEdit });
  const body = h('textarea', { id: 'template-body', rows: '3', maxlength: '300', disabled: !canEdit });
  body.value = t.body;
  const enabled = h('input', { type: 'checkbox', id: 'template-enabled', checked: t.enabled, disabled: !canEdit });
  const insert = (name) => {
    const at = body.selectionStart ?? body.value.length;
    body.value = `${body.value.slice(0, at)}{${name}}${body.value.slice(body.selectionEnd ?? at)}`;
    body.focus();
  };
  const vars = ['storeName', 'serviceName', 'startTime', 'checkinCode', 'amount', 'customerLabel', 'count', 'date'];
  const msg = h('p', { class: 'msg', role: 'status' });
  const preview = h('div', { id: 'template-preview', class: 'template-preview', 'aria-live': 'polite' });
  const read = () => ({ title: title.value, body: body.value, enabled: enabled.checked });
  const previewBtn = h('button', { type: 'button', class: 'btn btn-ghost btn-sm', id: 'template-preview-btn' }, '预览');
  previewBtn.addEventListener('click', () => previewTemplate(select.value, read(), preview, msg));
  const saveBtn = h('button', { type: 'button', class: 'btn btn-primary btn-sm', id: 'template-save-btn', disabled: !canEdit }, '保存');
  saveBtn.addEventListener('click', async () => {
    setMsg(msg, '保存中…', 'info');
    try {
      await api(`/v1/merchant/notification-templates/${encodeURIComponent(select.value)}`, { method: 'PUT', token: m.token, body: read() });
      setMsg(msg, '✓ 已保存：此后发出的该类通知使用新文案', 'ok');
    } catch (error) {
      if (handleMerchantAuthError(error)) return;
      setMsg(msg, describeError(error));
    }
  });
  box.replaceChildren(
    h('label', { class: 'field' }, h('span', {}, '通知类型'), select),
    h('label', { class: 'field' }, h('span', {}, '标题'), title),
    h('label', { class: 'field' }, h('span', {}, '正文（站内消息；订阅消息的“备注”取前 20 字）'), body),
    h('div', { class: 'chips var-chips', 'aria-label': '插入变量' }, vars.map((v) => h('button', { type: 'button', class: 'chip', disabled: !canEdit, onclick: () => insert(v) }, `{${v}}`))),
    h(
      'div',
      { class: 'row wrap-row template-actions' },
      h('label', { class: 'switch' }, enabled, h('span', {}, '启用')),
      previewBtn,
      saveBtn,
      canEdit ? null : h('span', { class: 'muted small' }, '仅店主或店长可保存'),
    ),
    msg,
    preview,
  );
}

/** 预览: the wording rendered with sample data, the SMS parameters and the subscribe fields, as they would go out. */
async function previewTemplate(kind, template, box, msg) {
  setMsg(msg, '');
  box.replaceChildren(h('p', { class: 'muted small' }, '生成预览…'));
  try {
    const [p, sms] = await Promise.all([api(`/v1/merchant/notification-templates/${encodeURIComponent(kind)}/preview`, { method: 'POST', token: state.merchant.token, body: template }), smsTemplateTexts]);
    const smsText = p.sms && p.sms.templateId && sms.texts[p.sms.templateId] ? `【${sms.sign}】${sms.texts[p.sms.templateId].replace(/\{(\d+)\}/g, (whole, n) => p.sms.params[Number(n) - 1] ?? whole)}` : null;
    box.replaceChildren(
      h('div', { class: 'preview-card' }, h('div', { class: 'preview-label' }, '站内消息'), h('strong', { id: 'preview-title' }, p.inApp.title), h('div', { class: 'small', id: 'preview-body' }, p.inApp.body)),
      p.sms
        ? h(
            'div',
            { class: 'preview-card' },
            h('div', { class: 'preview-label' }, '短信', h('span', { class: 'muted small' }, p.sms.templateId ? ` · 模板 ${p.sms.templateId}（平台审核，参数固定）` : ' · 未配置模板')),
            h('div', { class: 'small mono', id: 'preview-sms-params' }, `参数 ${JSON.stringify(p.sms.params)}`),
            smsText ? h('div', { class: 'small' }, smsText) : null,
          )
        : null,
      p.subscribe
        ? h(
            'div',
            { class: 'preview-card' },
            h('div', { class: 'preview-label' }, '微信订阅消息', h('span', { class: 'muted small' }, p.subscribe.templateId ? ` · 模板 ${p.subscribe.templateId}` : ' · 未配置模板')),
            h('dl', { class: 'push-fields', id: 'preview-subscribe' }, Object.entries(p.subscribe.data).flatMap(([k, v]) => [h('dt', {}, `${SUBSCRIBE_FIELD_LABELS[k] || k} ${k}`), h('dd', {}, v)])),
          )
        : h('p', { class: 'muted small' }, '商家通知只出现在商家端的站内消息中。'),
    );
  } catch (error) {
    if (handleMerchantAuthError(error)) return;
    box.replaceChildren();
    setMsg(msg, describeError(error));
  }
}

async function refreshMerchantStats({ quiet = false } = {}) {
  const m = state.merchant;
  if (!m) return;
  const box = $('mn-stats');
  const date = $('merchant-date').value || localDateIn(DEFAULT_TZ);
  if (!isManager(m)) {
    box.replaceChildren(h('p', { class: 'muted small' }, '发送统计仅店主或店长可查看。'));
    return;
  }
  if (!quiet) box.replaceChildren(h('p', { class: 'muted small' }, '加载中…'));
  try {
    const stats = await api(`/v1/merchant/notification-stats?${new URLSearchParams({ from: date, to: date })}`, { token: m.token });
    const rows = Object.entries(stats.channels).sort(([a], [b]) => Object.keys(CHANNEL_LABELS).indexOf(a) - Object.keys(CHANNEL_LABELS).indexOf(b));
    const cols = [
      ['sent', '已发送'],
      ['delivered', '已送达'],
      ['failed', '失败'],
      ['skipped', '跳过'],
      ['pending', '待发送'],
    ];
    const reasons = rows.flatMap(([channel, c]) =>
      [...Object.entries(c.failedByReason).map(([r, n]) => ['失败', r, n]), ...Object.entries(c.skippedByReason).map(([r, n]) => ['跳过', r, n])].map(([what, r, n]) =>
        h('li', {}, `${CHANNEL_LABELS[channel] || channel} · ${what}：${statsReasonLabel(r)} × ${n}`),
      ),
    );
    box.replaceChildren(
      h('p', { class: 'muted small' }, `${longDate(date)} 发给顾客的通知（${stats.timezone}）`),
      rows.length
        ? h(
            'table',
            { class: 'stats-table', id: 'notify-stats' },
            h('thead', {}, h('tr', {}, h('th', {}, '渠道'), cols.map(([, label]) => h('th', {}, label)))),
            h('tbody', {}, rows.map(([channel, c]) => h('tr', { dataset: { channel } }, h('th', {}, CHANNEL_LABELS[channel] || channel), cols.map(([key]) => h('td', { dataset: { col: key } }, integer.format(c[key])))))),
          )
        : h('p', { class: 'empty' }, '当日还没有发给顾客的通知。'),
      reasons.length ? h('ul', { class: 'stats-reasons muted small' }, reasons) : null,
      h('p', { class: 'muted small' }, '短信“已发送”在收到运营商回执后变为“已送达”或“失败”；订阅消息以微信接口受理为准；“尚未发送 · 待发送”多为预约前的到店提醒。'),
    );
  } catch (error) {
    if (handleMerchantAuthError(error)) return;
    box.replaceChildren(h('p', { class: 'msg', dataset: { tone: 'err' } }, describeError(error)));
  }
}

function enterMerchantNotify() {
  notifySeen.merchant = '';
  selectMerchantTab(state.merchantTab || 'notices');
  if (state.merchantTab !== 'notices') refreshMerchantNotices({ quiet: true });
}

/** Keeps bells, lists and the phone's inbox current while the page is visible. */
function notifyTick() {
  if (document.hidden) return;
  if (state.consumer) {
    refreshConsumerNotices({ quiet: true });
    refreshDeviceInbox();
  }
  if (state.merchant) {
    refreshMerchantNotices({ quiet: true });
    if (state.merchantTab === 'stats') refreshMerchantStats({ quiet: true });
  }
}

function initNotify() {
  $('sms-base').value = new URLSearchParams(location.search).get('sms') || defaultSmsBase();
  $('consumer-bell').addEventListener('click', () => {
    const list = $('consumer-notices');
    list.hidden = !list.hidden;
    $('consumer-bell').setAttribute('aria-expanded', String(!list.hidden));
    if (!list.hidden) refreshConsumerNotices();
  });
  $('device-inbox').addEventListener('toggle', () => {
    notifySeen.device = '';
    refreshDeviceInbox();
  });
  for (const chip of $('merchant-notify-tabs').querySelectorAll('.chip')) chip.addEventListener('click', () => selectMerchantTab(chip.dataset.tab));
  $('merchant-date').addEventListener('change', () => {
    if (state.merchantTab === 'stats') refreshMerchantStats();
  });
  setInterval(notifyTick, NOTIFY_POLL_MS);
}

// ---------------------------------------------------------------------------
// Live pipeline: /metrics (Prometheus text format)

function parseMetrics(text) {
  const samples = [];
  const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const raw of text.split('\n')) {
    if (!raw || raw.startsWith('#')) continue;
    const m = line.exec(raw);
    if (!m) continue;
    const labels = {};
    if (m[2]) for (const [, k, v] of m[2].matchAll(label)) labels[k] = v.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    samples.push({ name: m[1], labels, value });
  }
  return samples;
}

const sum = (samples, name, filter = () => true) =>
  samples.filter((s) => s.name === name && filter(s.labels)).reduce((acc, s) => acc + (Number.isFinite(s.value) ? s.value : 0), 0);

/** Cumulative bucket counts by upper bound, summed over every label set (worker processes). */
function histogramBuckets(samples, name) {
  const byLe = new Map();
  for (const s of samples) {
    if (s.name !== `${name}_bucket`) continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    byLe.set(le, (byLe.get(le) || 0) + s.value);
  }
  return [...byLe.entries()].sort((a, b) => a[0] - b[0]);
}

/** Same interpolation as PromQL histogram_quantile. */
function quantile(q, buckets) {
  if (buckets.length === 0) return null;
  const total = buckets[buckets.length - 1][1];
  if (!(total > 0)) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (le === Infinity) return { value: prevLe, open: true };
      const width = count - prevCount;
      return { value: width > 0 ? prevLe + ((le - prevLe) * (rank - prevCount)) / width : le, open: false };
    }
    prevLe = le;
    prevCount = count;
  }
  return { value: prevLe, open: true };
}

function formatSeconds(result) {
  if (!result) return '—';
  const { value, open } = result;
  const text = value < 1 ? `${Math.round(value * 1000)} ms` : `${value.toFixed(value < 10 ? 2 : 1)} s`;
  return open ? `> ${text}` : text;
}

const metricsHistory = []; // [{t, buckets, http}]
let metricsTimer;
let metricsFailures = 0;

async function pollMetrics() {
  clearTimeout(metricsTimer);
  if (document.hidden) {
    metricsTimer = setTimeout(pollMetrics, METRICS_INTERVAL_MS);
    return;
  }
  const status = $('metrics-status');
  try {
    const res = await fetch('/metrics', { headers: { Accept: 'text/plain' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const samples = parseMetrics(await res.text());
    renderMetrics(samples);
    metricsFailures = 0;
    status.textContent = `每 2 秒刷新 · ${new Date().toLocaleTimeString('zh-CN', { hour12: false })}`;
    status.dataset.tone = '';
  } catch (error) {
    metricsFailures += 1;
    status.textContent = `指标获取失败（${error.message === 'Failed to fetch' ? '无法连接网关' : error.message}），重试中…`;
    status.dataset.tone = 'err';
  }
  metricsTimer = setTimeout(pollMetrics, METRICS_INTERVAL_MS);
}

function renderMetrics(samples) {
  const now = Date.now();
  const persistQueue = (jobState) => (l) => l.queue === 'booking-persist' && l.state === jobState;
  const wait = sum(samples, 'zhiyue_queue_jobs', persistQueue('wait')) + sum(samples, 'zhiyue_queue_jobs', persistQueue('prioritized'));
  const active = sum(samples, 'zhiyue_queue_jobs', persistQueue('active'));
  const oldest = sum(samples, 'zhiyue_queue_oldest_waiting_seconds', (l) => l.queue === 'booking-persist');
  const http = sum(samples, 'zhiyue_http_requests_total');
  const reserved = sum(samples, 'zhiyue_reservations_total', (l) => l.outcome === 'reserved');
  const confirmed = sum(samples, 'zhiyue_persist_outcomes_total', (l) => l.status === 'CONFIRMED' && l.duplicate !== 'true');
  const buckets = histogramBuckets(samples, 'zhiyue_persist_latency_seconds');

  $('m-wait').textContent = integer.format(wait);
  $('m-active').textContent = integer.format(active);
  $('m-oldest').textContent = oldest > 0 ? `${oldest.toFixed(oldest < 10 ? 2 : 0)} s` : '0 s';
  $('m-oldest').dataset.tone = oldest >= 5 ? 'err' : oldest >= 1 ? 'warn' : '';
  $('m-http').textContent = integer.format(http);
  $('pipe-accepted').textContent = integer.format(reserved);
  $('pipe-queue').textContent = integer.format(wait + active);
  $('pipe-confirmed').textContent = integer.format(confirmed);

  const prev = metricsHistory[metricsHistory.length - 1];
  if (prev && now > prev.t && http >= prev.http) {
    const rate = ((http - prev.http) * 1000) / (now - prev.t);
    $('m-http-rate').textContent = `${rate.toFixed(rate < 10 ? 1 : 0)} 次/秒`;
  }
  metricsHistory.push({ t: now, buckets, http });
  while (metricsHistory.length > 2 && now - metricsHistory[1].t >= LATENCY_WINDOW_MS) metricsHistory.shift();

  // Prefer the last minute's observations (bucket deltas); fall back to the totals since start.
  const base = metricsHistory[0];
  let recent = null;
  if (base !== metricsHistory[metricsHistory.length - 1]) {
    const old = new Map(base.buckets);
    const delta = buckets.map(([le, c]) => [le, c - (old.get(le) || 0)]);
    // A negative delta means a worker restarted; then only the totals make sense.
    if (delta.every(([, c]) => c >= 0) && delta.length && delta[delta.length - 1][1] > 0) recent = delta;
  }
  const used = recent || buckets;
  const count = used.length ? used[used.length - 1][1] : 0;
  $('m-p50').textContent = formatSeconds(quantile(0.5, used));
  $('m-p99').textContent = formatSeconds(quantile(0.99, used));
  $('m-latency-note').textContent = count > 0 ? `${recent ? '近 1 分钟' : '启动以来'} ${integer.format(count)} 次写入，由直方图分桶估算` : '暂无写入，由直方图分桶估算';

  // Reservations by outcome, largest first.
  const outcomes = new Map();
  for (const s of samples) if (s.name === 'zhiyue_reservations_total') outcomes.set(s.labels.outcome, (outcomes.get(s.labels.outcome) || 0) + s.value);
  const entries = [...outcomes.entries()].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  const max = Math.max(1, ...entries.map(([, v]) => v));
  $('m-outcomes').replaceChildren(
    ...(entries.length
      ? entries.map(([outcome, value]) =>
          h(
            'div',
            { class: 'outcome', dataset: { outcome, tone: OUTCOME_TONE[outcome] || 'warn' } },
            h('span', { class: 'outcome-label', title: outcome }, OUTCOME_LABELS[outcome] || outcome),
            h('span', { class: 'outcome-bar' }, h('span', { style: `width:${Math.max(2, (value / max) * 100).toFixed(1)}%` })),
            h('span', { class: 'outcome-value' }, integer.format(value)),
          ),
        )
      : [h('p', { class: 'muted small' }, '暂无预约请求')]),
  );
}

async function pollReady() {
  const badge = $('ready-badge');
  try {
    const res = await fetch('/readyz');
    const body = await res.json().catch(() => null);
    if (res.ok && body?.ready) {
      badge.textContent = '● 系统就绪';
      badge.className = 'badge badge-ok';
      badge.title = 'MySQL、Redis 均正常';
    } else {
      const failing = body ? Object.entries(body.checks || {}).filter(([, v]) => v !== 'ok') : [];
      badge.textContent = '● 未就绪';
      badge.className = 'badge badge-err';
      badge.title = failing.map(([k, v]) => `${k}: ${v}`).join('\n') || `HTTP ${res.status}`;
    }
  } catch {
    badge.textContent = '● 网关不可达';
    badge.className = 'badge badge-err';
    badge.title = '无法连接网关';
  }
  setTimeout(pollReady, READY_INTERVAL_MS);
}

// ---------------------------------------------------------------------------
// Wiring

function init() {
  loadSession();
  $('demo-user').value = state.consumer?.user || randomDemoUser();
  $('wechat-base').value = state.wechatBase || defaultWechatBase();
  // ?wechatpay= wins over the saved value: npm run stack prints it when the fake is elsewhere.
  $('wechatpay-base').value = new URLSearchParams(location.search).get('wechatpay') || state.wechatPayBase || defaultWechatPayBase();
  $('wechatpay-base').addEventListener('change', () => {
    state.wechatPayBase = wechatPayBase();
    saveSession();
  });
  $('demo-user-random').addEventListener('click', () => {
    $('demo-user').value = randomDemoUser();
  });
  $('wechat-login').addEventListener('click', consumerLogin);
  $('demo-user').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') consumerLogin();
  });
  $('confirm-btn').addEventListener('click', confirmBooking);
  $('my-refresh').addEventListener('click', refreshMyBookings);
  $('staff-select').addEventListener('change', (e) => {
    state.staffId = e.target.value === '' ? null : Number(e.target.value);
    state.slot = null;
    state.attempt = null;
    loadAvailability();
    renderBookingBar();
  });
  $('party-select').addEventListener('change', (e) => {
    state.partySize = Number(e.target.value) || 1;
    if (state.slot && state.slot.remaining < state.partySize) state.slot = null;
    state.attempt = null;
    renderSlots();
    renderBookingBar();
  });
  $('merchant-login').addEventListener('submit', merchantLogin);
  const refreshMerchant = () => Promise.all([refreshMerchantBookings(), refreshLedger()]);
  $('merchant-refresh').addEventListener('click', refreshMerchant);
  $('merchant-store').addEventListener('change', refreshMerchant);
  $('merchant-date').addEventListener('change', refreshMerchant);
  $('checkin-form').addEventListener('submit', merchantCheckIn);
  $('ledger-refresh').addEventListener('click', () => refreshLedger());
  setInterval(tickCountdowns, 1000);
  const preset = new URLSearchParams(location.search).get('merchant');
  if (preset && DEMO_ACCOUNTS.includes(preset)) $('merchant-user').value = preset;

  initNotify();
  renderLogin();
  if (state.consumer) {
    enterConsumerNotify();
    refreshMyBookings();
  }
  if (state.merchant) {
    $('merchant-user').value = state.merchant.username;
    enterMerchant();
  }
  loadStores();
  pollMetrics();
  pollReady();
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) pollMetrics();
  });
}

init();

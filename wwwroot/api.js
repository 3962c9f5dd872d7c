// fetch with problem details, the session cookie and the antiforgery header on unsafe requests.
import { language, t } from './i18n.js';

const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
let xsrfToken = null;

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code ?? (status === 0 ? 'network' : 'error');
    this.errors = problem?.errors ?? {};
  }
}

/** Raised to the app when the session ends (401), so it can show the sign-in page. */
export const events = new EventTarget();

async function antiforgery() {
  xsrfToken ??= (await request('GET', '/api/auth/antiforgery')).token;
  return xsrfToken;
}

export function forgetSession() {
  xsrfToken = null;
}

// Each sign-in starts a new session. A request begun under an earlier one that comes back 401 afterwards (sent with the
// old cookie just before signing in again) says nothing about the session now: it must not put up the sign-in page.
let session = 0;

async function request(method, path, body, retried = false) {
  // The page's language, not only the browser's: what the server writes for later (push notifications) follows it.
  const headers = { Accept: 'application/json', 'Accept-Language': language() };
  // A form (a photo upload) sets its own multipart type and boundary.
  const form = body instanceof FormData;
  if (body !== undefined && !form) headers['Content-Type'] = 'application/json';
  if (unsafe.has(method) && path !== '/api/auth/login') headers['X-XSRF-TOKEN'] = await antiforgery();
  const began = session;
  let response;
  try {
    response = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined || form ? body : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, null);
  }
  if (response.ok && path === '/api/auth/login') session++;
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') ?? '';
  const data = type.includes('json') ? await response.json() : null;
  if (response.ok) return data;
  const error = new ApiError(response.status, data);
  // A limit says how long to wait; the page says so in its own language, wherever it shows the error.
  if (response.status === 429) error.message = t('error.rateLimited', { seconds: response.headers.get('Retry-After') ?? data?.retryAfter ?? 1 });
  // A token from before a sign-in or a server key change: fetch a fresh one once.
  if (error.code === 'antiforgery' && !retried) {
    xsrfToken = null;
    return request(method, path, body, true);
  }
  if (response.status === 401 && path !== '/api/auth/login' && began === session) {
    xsrfToken = null;
    events.dispatchEvent(new CustomEvent('unauthenticated'));
  }
  throw error;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);
export const put = (path, body) => request('PUT', path, body);
export const del = (path, body) => request('DELETE', path, body);
/** POSTs a FormData (multipart): a photo and its description. */
export const upload = (path, formData) => request('POST', path, formData);

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}

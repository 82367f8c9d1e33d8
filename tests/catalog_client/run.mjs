// Runs a plan of calls with Backstage's own catalog client against a Greenroom server.
//
// The plan, as JSON on stdin (or as the first argument):
//   {baseUrl, token, calls: [{name, method, args, follow}]}
// Each call is `client[method](...args)`, run in order. Prints one JSON line per call:
//   {name, ok: true, value} or {name, ok: false, error: {name, message, status, cause}}
// where `cause` is the error name the server sent (ConflictError, NotFoundError...).
//
// - An argument {"$ref": "<call name>.<dotted path>"} is replaced by that part of an earlier
//   call's value, so one plan can use ids and cursors it receives.
// - `follow: "nextCursor"` (or "prevCursor") repeats the call with that cursor until the server
//   stops returning one; the value is then the list of pages.
// - `undefined` is printed as {"$undefined": true}, to tell it from null.
// - An empty token sends no Authorization header at all.

import { CatalogClient } from '@backstage/catalog-client';

async function readPlan() {
  if (process.argv[2]) {
    return JSON.parse(process.argv[2]);
  }
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function lookup(values, reference) {
  const [name, ...path] = reference.split('.');
  if (!(name in values)) {
    throw new Error(`$ref to unknown or failed call '${name}'`);
  }
  return path.reduce((value, key) => (value == null ? undefined : value[key]), values[name]);
}

function resolve(arg, values) {
  if (Array.isArray(arg)) {
    return arg.map(item => resolve(item, values));
  }
  if (arg && typeof arg === 'object') {
    if (typeof arg.$ref === 'string' && Object.keys(arg).length === 1) {
      return lookup(values, arg.$ref);
    }
    return Object.fromEntries(Object.entries(arg).map(([key, value]) => [key, resolve(value, values)]));
  }
  return arg;
}

async function perform(client, call, values) {
  const args = resolve(call.args ?? [], values);
  const first = await client[call.method](...args);
  if (!call.follow) {
    return first;
  }
  // A cursor request carries only the cursor, the page size and the fields, as in Backstage.
  const { limit, fields } = args[0] ?? {};
  const pages = [first];
  let cursor = first?.pageInfo?.[call.follow];
  while (cursor) {
    if (pages.length > 1000) {
      throw new Error(`more than 1000 pages following ${call.follow}`);
    }
    const page = await client[call.method]({ cursor, limit, fields });
    pages.push(page);
    cursor = page?.pageInfo?.[call.follow];
  }
  return pages;
}

function describe(error) {
  return {
    name: error?.name ?? 'Error',
    message: String(error?.message ?? error),
    status: error?.response?.status ?? null,
    cause: error?.cause?.name ?? null,
  };
}

function print(result) {
  const replacer = (key, value) => (value === undefined ? { $undefined: true } : value);
  process.stdout.write(`${JSON.stringify(result, replacer)}\n`);
}

const plan = await readPlan();
const authorization = plan.token ? { Authorization: `Bearer ${plan.token}` } : {};
const client = new CatalogClient({
  discoveryApi: { getBaseUrl: async () => plan.baseUrl },
  fetchApi: {
    fetch: (url, init) => fetch(url, { ...init, headers: { ...init?.headers, ...authorization } }),
  },
});

const values = {};
for (const call of plan.calls) {
  try {
    const value = await perform(client, call, values);
    values[call.name] = value;
    print({ name: call.name, ok: true, value });
  } catch (error) {
    print({ name: call.name, ok: false, error: describe(error) });
  }
}

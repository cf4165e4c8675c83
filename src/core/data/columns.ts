/**
 * Header names → column roles. Matching ignores case, spaces, punctuation and footnote marks
 * (`Adj Close**`, `adj_close`, `Adj. Close` are all `adjclose`), so exports from Yahoo, investing.com,
 * Nasdaq, stooq, Kaggle and pandas map without configuration.
 */

export type ColumnRole = 'date' | 'symbol' | 'open' | 'high' | 'low' | 'close' | 'adjClose' | 'volume';

/** Lower-case letters, digits and '%' only. */
export function normalizeHeader(h: string): string {
  return h
    .replace(/^\uFEFF/, '')
    .normalize('NFD')
    .toLowerCase()
    .replace(/[^a-z0-9%]/g, '');
}

// Besides English: common German, French, Spanish, Italian and Portuguese export headers (accents stripped).
const SYNONYMS: Record<ColumnRole, string[]> = {
  date: [
    'datum',
    'fecha',
    'data',
    'date',
    'time',
    'timestamp',
    'datetime',
    'day',
    'tradedate',
    'tradingdate',
    'tradingday',
    'dt',
    'period',
    'localtime',
    'gmttime',
    'datetimeutc',
    'dateutc',
    'timeutc',
  ],
  symbol: [
    'symbol',
    'ticker',
    'tickersymbol',
    'asset',
    'code',
    'sym',
    'instrument',
    'stock',
    'tscode',
    'secid',
    'security',
    'name',
    'isin',
    'permno',
  ],
  open: [
    'eroffnung',
    'erster',
    'ouverture',
    'apertura',
    'abertura',
    'open',
    'openprice',
    'opening',
    'openingprice',
    'o',
    'first',
  ],
  high: ['hoch', 'plushaut', 'maximo', 'massimo', 'high', 'highprice', 'hi', 'h', 'max', 'highest'],
  low: ['tief', 'plusbas', 'minimo', 'low', 'lowprice', 'lo', 'l', 'min', 'lowest'],
  close: [
    'schluss',
    'schlusskurs',
    'cloture',
    'dernier',
    'cierre',
    'ultimo',
    'chiusura',
    'fechamento',
    'close',
    'closeprice',
    'closing',
    'closingprice',
    'price',
    'last',
    'lastprice',
    'closelast',
    'c',
    'settle',
    'settlement',
    'nav',
  ],
  adjClose: [
    'adjclose',
    'adjustedclose',
    'adjcloseprice',
    'adjustedcloseprice',
    'adjclosing',
    'adjustedclosingprice',
    'closeadj',
    'closeadjusted',
    'adjprice',
  ],
  volume: [
    'volumen',
    'umsatz',
    'volume',
    'vol',
    'v',
    'tradingvolume',
    'totalvolume',
    'shares',
    'qty',
    'quantity',
  ],
};

/** Columns that are known and deliberately not used (never taken as tickers in the wide layout). */
const KNOWN_IGNORED = new Set([
  'change',
  'change%',
  'chg',
  'chg%',
  '%chg',
  '%change',
  'pct',
  'pctchange',
  'percentchange',
  'changepercent',
  'changepct',
  'return',
  'returns',
  'ret',
  'logreturn',
  'dividends',
  'dividend',
  'stocksplits',
  'splits',
  'split',
  'splitcoefficient',
  'dividendamount',
  'openinterest',
  'oi',
  'count',
  'trades',
  'numberoftrades',
  'tradecount',
  'vwap',
  'amount',
  'turnover',
  'marketcap',
  'unix',
  'unixtime',
  'adjvolume',
  'adjopen',
  'adjhigh',
  'adjlow',
  'currency',
  'exchange',
  'notes',
]);

const ROLE_OF = new Map<string, ColumnRole>();
for (const [role, names] of Object.entries(SYNONYMS) as [ColumnRole, string[]][])
  for (const n of names) ROLE_OF.set(n, role);

/** Role of a header, 'ignored' for known unused columns, null when unknown (a ticker in the wide layout). */
export function roleOfHeader(header: string): ColumnRole | 'ignored' | null {
  const k = normalizeHeader(header);
  const role = ROLE_OF.get(k);
  if (role) return role;
  if (KNOWN_IGNORED.has(k) || k.includes('%')) return 'ignored';
  // 'Volume USD', 'Volume BTC' (crypto exports): a volume column with a unit.
  if (k.startsWith('volume') || k.startsWith('vol')) return k.startsWith('volat') ? null : 'volume';
  return null;
}

/** Where each role sits in a header row (first match wins), and the columns nothing claimed. */
export interface ColumnMap {
  roles: Partial<Record<ColumnRole, number>>;
  /** Known columns that are not used (percent change, dividends, duplicates of a mapped role…). */
  ignored: number[];
  /** Columns with an unknown name: tickers in the wide layout, ignored otherwise. */
  unknown: number[];
}

export function mapColumns(header: readonly string[]): ColumnMap {
  const roles: Partial<Record<ColumnRole, number>> = {};
  const ignored: number[] = [];
  const unknown: number[] = [];
  header.forEach((h, i) => {
    const role = roleOfHeader(h);
    if (role === null) unknown.push(i);
    else if (role === 'ignored' || roles[role] !== undefined) ignored.push(i);
    else roles[role] = i;
  });
  return { roles, ignored, unknown };
}

/**
 * Market data for the lab: CSV import with reports, alignment into a Panel, embedded datasets,
 * the synthetic market and data-source specs. Pure TypeScript (no DOM, no fs): runs in workers and Node.
 * Node-only helpers live in ./embedded.node.ts (not re-exported here, so browser bundles stay fs-free).
 */
export * from './types.ts';
export * from './report.ts';
export {
  CsvImporter,
  importCsv,
  importCsvStream,
  importMany,
  dedupeAssetNames,
  detectDelimiter,
  tickerFromFileName,
} from './csv.ts';
export type { CsvImportOptions, ImportProgress, NamedText } from './csv.ts';
export { alignSeries, panelToSeries, inferAnnualization } from './align.ts';
export type { AlignOptions } from './align.ts';
export {
  DEFAULT_CENTURY_PIVOT,
  daysFromCivil,
  civilFromDays,
  daysFromIso,
  isoFromDays,
  dayOfWeek,
  isWeekend,
  nextBusinessDay,
  parseDateColumn,
  describeFormat,
} from './dates.ts';
export type { DateFormatDecision, ParseDatesOptions } from './dates.ts';
export { parseNumberCell, isMissingCell, detectDecimalComma } from './numbers.ts';
export { roleOfHeader, mapColumns, normalizeHeader } from './columns.ts';
export type { ColumnRole, ColumnMap } from './columns.ts';
export { EMBEDDED_DATASETS, EMBEDDED_FILE_NAMES, isEmbeddedName, loadEmbedded } from './embedded.ts';
export type { EmbeddedDataset, EmbeddedData, EmbeddedFileName, EmbeddedName } from './embedded.ts';
export {
  generateSynthetic,
  resolveSyntheticConfig,
  syntheticCsvChunks,
  cholesky,
  SYNTHETIC_DEFAULTS,
} from './synthetic.ts';
export type { SyntheticConfig, SyntheticMeta, SyntheticMarket } from './synthetic.ts';
export { parseSourceSpec, parseSyntheticSpec, loadSources, DataSpecError } from './sources.ts';
export type { DataSourceSpec, SourceIO, LoadSourcesOptions, LoadedData } from './sources.ts';

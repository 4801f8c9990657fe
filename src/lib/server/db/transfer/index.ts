// Moves a whole Easel database between drivers (embedded PGlite → PostgreSQL) as a checked JSON Lines file.
export { appliedMigrations, codeMigrationLevel, nonEmptyTables, type MigrationLevel } from './catalog.ts';
export { EXPORT_FORMAT, EXPORT_VERSION, verifyExport, type ExportHeader, type TransferSummary } from './export-file.ts';
export { exportDatabase } from './export-database.ts';
export { checkSameMigration, importDatabase, targetNotEmpty } from './import-database.ts';

/**
 * Something the user gave — a flag, a config file, a manifest, a certificate, a results file — is
 * not what was expected. The message says what was expected (and where: a flag, a JSON path) and
 * how to fix it; the CLI prints it without a stack trace and exits 2.
 */
export class InputError extends Error {}

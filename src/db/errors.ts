// A store sitrep cannot use (missing, corrupt, read-only, unreachable): said in one
// line at start, instead of a stack trace.

export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
}

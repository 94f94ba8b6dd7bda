// Linting Markdown in tests the way markdownlint-cli2 does with no config file (every default
// rule on), minus MD013 (line length): markdownlint is the library markdownlint-cli2 runs.
//
// markdownlint is pinned to 0.40.x, the last line whose `engines` accepts Node 20 (0.41+ and
// markdownlint-cli2 0.23+ want Node 22); markdownlint-cli2 0.20–0.22 run this same 0.40.0.

import type { Configuration, LintError } from 'markdownlint';
import { lint } from 'markdownlint/sync';

export const MARKDOWNLINT_CONFIG: Configuration = { default: true, MD013: false };

/** One line per violation, cli2's format: `3:1 MD012/no-multiple-blanks Multiple consecutive blank lines [Expected: 1; Actual: 2] [Context: "…"]`. */
export function formatLintError(error: LintError): string {
  const column = error.errorRange ? `:${error.errorRange[0]}` : '';
  const detail = error.errorDetail ? ` [${error.errorDetail}]` : '';
  const context = error.errorContext ? ` [Context: "${error.errorContext}"]` : '';
  return `${error.lineNumber}${column} ${error.ruleNames.join('/')} ${error.ruleDescription}${detail}${context}`;
}

/**
 * markdownlint's violations in `markdown`, one readable line each, in line order; [] when clean.
 * Inline `<!-- markdownlint-disable … -->` comments are honoured, as cli2 honours them: the
 * draft turns off MD033 (inline HTML) around its collapsible transcript, and nothing else;
 * the draft's own tests check that no other comment, and none from quoted text, gets in.
 */
export function lintMarkdown(markdown: string): string[] {
  const results = lint({
    strings: { document: markdown },
    config: MARKDOWNLINT_CONFIG,
  });
  return (results['document'] ?? []).map(formatLintError);
}

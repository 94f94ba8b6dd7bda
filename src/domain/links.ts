// A link's label may claim to be somewhere it does not go: Slack shows
// `<https://evil.example|https://bank.example/login>` as "https://bank.example/login",
// and a reader trusts it. Wherever sitrep shows someone's link again (reposts, the
// draft), a label that looks like an address other than the target's says where
// the link really goes.

/** A label that reads as an address: an optional scheme, a host with a dot, an optional path. */
const ADDRESS = /^(?:[a-z][a-z0-9+.-]*:\/\/)?((?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*)(?::\d+)?(?:[/?#]\S*)?$/i;

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\./, '');
  } catch {
    return null;
  }
}

/**
 * The label to show for a link to `target` labelled `label`: the label itself,
 * unless it names another host, then `bank.example/login (links to evil.example)`.
 */
export function honestLinkLabel(target: string, label: string): string {
  const claimed = ADDRESS.exec(label.trim());
  const claimedHost = claimed?.[1]?.toLowerCase().replace(/^www\./, '');
  const realHost = hostOf(target);
  if (!claimedHost || !realHost || claimedHost === realHost) return label;
  const shown = label.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  return `${shown} (links to ${realHost})`;
}

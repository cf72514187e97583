import { reasonDescriptions, reasonIds } from "@dbatch/transform";

/**
 * Human text for the transform's stable rule ids (the `reason` of a site
 * not batched); the descriptions are the transform's own. Unknown ids still
 * read well: dashes become spaces.
 */
export function reasonText(reason: string): string {
  return reason.replace(/-/g, " ");
}

function isKnown(reason: string): reason is keyof typeof reasonDescriptions {
  return (reasonIds as readonly string[]).includes(reason);
}

export function reasonHelp(reason: string): string {
  return isKnown(reason) ? reasonDescriptions[reason] : `The run ends here: ${reasonText(reason)}.`;
}

export function knownReasons(): string[] {
  return [...reasonIds];
}

/** `write, write, write, close` -> `write x3, close` */
export function summariseCalls(calls: readonly string[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < calls.length) {
    const name = calls[i];
    let j = i;
    while (j < calls.length && calls[j] === name) j++;
    const count = j - i;
    parts.push(count > 1 ? `${name} x${count}` : `${name}`);
    i = j;
  }
  return parts.join(", ");
}

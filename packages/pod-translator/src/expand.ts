/**
 * Kubernetes' `$(VAR)` expansion (k8s.io/kubernetes third_party/forked/golang/expansion): `$(NAME)` is replaced
 * by the variable's value when defined and left as written when not; `$$` is an escaped `$`; any other `$` is
 * kept. Used for env values, command, args and subPathExpr.
 */
export function expandVariables(input: string, lookup: (name: string) => string | undefined): string {
  let output = "";
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== "$" || cursor + 1 >= input.length) {
      continue;
    }
    output += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    if (next === "$") {
      output += "$";
      cursor += 1;
    } else if (next === "(") {
      const close = input.indexOf(")", cursor + 2);
      if (close === -1) {
        output += "$(";
        cursor += 1;
      } else {
        const name = input.slice(cursor + 2, close);
        output += lookup(name) ?? `$(${name})`;
        cursor = close;
      }
    } else {
      output += `$${next}`;
      cursor += 1;
    }
    checkpoint = cursor + 1;
  }
  return output + input.slice(checkpoint);
}

// How a container of the agnhost image becomes an invocation of this program: Kubernetes'
// command/args rules applied to the image's ENTRYPOINT ["/agnhost"] and CMD ["pause"].

/** The image config of registry.k8s.io/e2e-test-images/agnhost (its Dockerfile). */
export const agnhostImageConfig = { entrypoint: ['/agnhost'], cmd: ['pause'] } as const;

/** Binary names the image holds (agnhost-2 is a symlink used by entrypoint tests). */
const agnhostBinaries = new Set(['/agnhost', 'agnhost', './agnhost', '/agnhost-2', 'agnhost-2']);

/**
 * The argv for main.js (subcommand first) for a container's `command` and `args`, or undefined
 * when the container runs something other than the agnhost binary (e.g. `sh -c ...`).
 */
export function testImageArgv(command: readonly string[] = [], args: readonly string[] = []): string[] | undefined {
  let argv: readonly string[];
  if (command.length === 0) {
    argv = [...agnhostImageConfig.entrypoint, ...(args.length === 0 ? agnhostImageConfig.cmd : args)];
  } else {
    argv = [...command, ...args];
  }
  const [binary, ...rest] = argv;
  return binary !== undefined && agnhostBinaries.has(binary) ? rest : undefined;
}

/**
 * `npm run package`: builds the Teams app package from manifest/manifest.template.json and the icons.
 *
 *   build/appPackage/manifest.json     the manifest, with the values below filled in
 *   build/appPackage/appPackage.zip    manifest.json, color.png and outline.png at the root: upload this
 *
 * Values, from the environment (the names the bot itself reads, so one .env serves both):
 *   TEAMS_APP_ID                  the Teams app's id (any GUID of yours; keep it across versions)
 *   MicrosoftAppId or BOT_ID      the bot's Entra app id
 *   BOT_DOMAIN                    the bot's public host name; else the host of an https PUBLIC_URL
 *   SSO_CLIENT_ID, SSO_APP_ID_URI the tabs' SSO app and its Application ID URI (default: the bot's
 *                                 app and api://BOT_DOMAIN/<its id>, as the server assumes)
 *   APP_VERSION                   the app's version (default: package.json's); Teams wants a higher
 *                                 one each time an updated package is uploaded
 *
 * Outside production, missing values get obviously fake placeholders (with a warning) so that the
 * package can be built and checked anywhere; with NODE_ENV=production they are required. A malformed
 * value always fails. The manifest is validated offline against the Teams schema bundled in
 * @microsoft/app-manifest before anything is zipped. `--out <dir>` writes elsewhere.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { AppManifestUtils, type TeamsManifestV1D30 } from '@microsoft/app-manifest';
import { ICON_FILES, pngSize } from './make-icons';

export type AppManifest = TeamsManifestV1D30.TeamsManifestV1D30;

const ROOT = path.resolve(__dirname, '..');
export const MANIFEST_DIR = path.join(ROOT, 'manifest');
export const TEMPLATE_FILE = path.join(MANIFEST_DIR, 'manifest.template.json');
export const DEFAULT_OUT_DIR = path.join(ROOT, 'build', 'appPackage');
export const ZIP_NAME = 'appPackage.zip';

/** Never valid in a real tenant, and easy to spot in a manifest that should not have them. */
export const PLACEHOLDERS = {
  TEAMS_APP_ID: '11111111-1111-1111-1111-111111111111',
  BOT_ID: '22222222-2222-2222-2222-222222222222',
  BOT_DOMAIN: 'bot.example.invalid',
} as const;

const ICON_SIZES = { [ICON_FILES.color]: 192, [ICON_FILES.outline]: 32 } as const;

const GUID = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;
/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
/** The schema's own semver pattern (no pre-release tags: Teams refuses them). */
const SEMVER = /^(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)$/;

export interface PackageValues {
  TEAMS_APP_ID: string;
  BOT_ID: string;
  BOT_DOMAIN: string;
  SSO_CLIENT_ID: string;
  SSO_APP_ID_URI: string;
  APP_VERSION: string;
}

export class PackageError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cannot build the Teams app package:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PackageError';
  }
}

const hostProblem = (name: string, value: string): string | null => {
  if (HOST_NAME.test(value)) return null;
  const why = /^[a-z]+:\/\//i.test(value) ? ', without https://' : value.includes('/') ? ', without a path' : /:\d*$/.test(value) ? ', without a port' : '';
  return `${name} must be a host name such as bot.contoso.com${why} (got ${JSON.stringify(value)})`;
};

/**
 * The values to put in the template, from the environment. Returns warnings for placeholders used;
 * throws a PackageError listing every problem at once, so one run shows everything to fix.
 */
export const resolveValues = (env: NodeJS.ProcessEnv, defaultVersion: string): { values: PackageValues; warnings: string[] } => {
  // Empty means unset, as in most .env files and in bot/config.ts.
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const problems: string[] = [];
  const warnings: string[] = [];
  const missing: string[] = [];
  const guid = (name: string, value: string | undefined): void => {
    if (value !== undefined && !GUID.test(value)) problems.push(`${name} must be a GUID such as 00000000-0000-0000-0000-000000000000 (got ${JSON.stringify(value)})`);
  };

  const teamsAppId = get('TEAMS_APP_ID');
  guid('TEAMS_APP_ID', teamsAppId);
  if (!teamsAppId) missing.push('TEAMS_APP_ID');

  // The bot reads MicrosoftAppId first and BOT_ID as the Agents Toolkit's name for it.
  const appId = get('MicrosoftAppId');
  const toolkitId = get('BOT_ID');
  guid('MicrosoftAppId', appId);
  guid('BOT_ID', toolkitId);
  if (appId && toolkitId && appId.toLowerCase() !== toolkitId.toLowerCase()) {
    problems.push(`MicrosoftAppId (${appId}) and BOT_ID (${toolkitId}) differ: set one, or the same id in both`);
  }
  const botId = appId ?? toolkitId;
  if (!botId) missing.push('BOT_ID (or MicrosoftAppId)');

  let domain = get('BOT_DOMAIN');
  if (domain) {
    const problem = hostProblem('BOT_DOMAIN', domain);
    if (problem) problems.push(problem);
  } else {
    const publicUrl = get('PUBLIC_URL');
    let url: URL | undefined;
    try {
      url = publicUrl ? new URL(publicUrl) : undefined;
    } catch {
      problems.push(`PUBLIC_URL must be a URL such as https://bot.contoso.com (got ${JSON.stringify(publicUrl)})`);
    }
    if (url && url.protocol !== 'https:') {
      // A local http URL is normal for the bot in development; it just says nothing about Teams.
      warnings.push(`PUBLIC_URL (${publicUrl}) is not https, so it cannot give the domain Teams loads the tabs from.`);
    } else if (url?.port) {
      problems.push(`PUBLIC_URL has a port (${url.host}): set BOT_DOMAIN to the host name Teams should use`);
    } else if (url) {
      domain = url.hostname;
      const problem = hostProblem('PUBLIC_URL host', domain);
      if (problem) problems.push(problem);
    }
  }
  if (!domain) missing.push('BOT_DOMAIN (or an https PUBLIC_URL)');

  const version = get('APP_VERSION') ?? defaultVersion;
  if (!SEMVER.test(version)) problems.push(`APP_VERSION must be a version such as 1.0.0 (got ${JSON.stringify(version)})`);

  // The tabs' SSO app is usually the bot's own; bot/config.ts makes the same choice for the server.
  const ssoClientId = get('SSO_CLIENT_ID') ?? get('AAD_APP_CLIENT_ID');
  guid(get('SSO_CLIENT_ID') ? 'SSO_CLIENT_ID' : 'AAD_APP_CLIENT_ID', ssoClientId);
  const ssoAppIdUri = get('SSO_APP_ID_URI');
  if (ssoAppIdUri !== undefined && !/^api:\/\/\S+$/.test(ssoAppIdUri)) {
    problems.push(`SSO_APP_ID_URI must be an Application ID URI such as api://bot.contoso.com/<client id> (got ${JSON.stringify(ssoAppIdUri)})`);
  }

  if (missing.length && env.NODE_ENV === 'production') {
    problems.push(...missing.map((m) => `${m} is required with NODE_ENV=production`));
  }
  if (problems.length) throw new PackageError(problems);
  if (missing.length) {
    warnings.push(
      `Using placeholders for ${missing.join(', ')}: fine for checking the package, but Teams will not accept it. Set ${missing.length === 1 ? 'it' : 'them'} for a real package.`,
    );
  }

  const values = {
    TEAMS_APP_ID: teamsAppId ?? PLACEHOLDERS.TEAMS_APP_ID,
    BOT_ID: botId ?? PLACEHOLDERS.BOT_ID,
    BOT_DOMAIN: domain ?? PLACEHOLDERS.BOT_DOMAIN,
    APP_VERSION: version,
  };
  const sso = ssoClientId ?? values.BOT_ID;
  return { values: { ...values, SSO_CLIENT_ID: sso, SSO_APP_ID_URI: ssoAppIdUri ?? `api://${values.BOT_DOMAIN}/${sso}` }, warnings };
};

/**
 * Fills `{{NAME}}` in every string of the template. Works on parsed JSON rather than on the text so
 * that no value can break the JSON; an unknown name is a mistake in the template, not a blank.
 */
export const fillTemplate = (template: unknown, values: PackageValues): unknown => {
  const unknownNames = new Set<string>();
  const fill = (node: unknown): unknown => {
    if (typeof node === 'string') {
      return node.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, name: string) => {
        if (Object.hasOwn(values, name)) return values[name as keyof PackageValues];
        unknownNames.add(name);
        return whole;
      });
    }
    if (Array.isArray(node)) return node.map(fill);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v)]));
    return node;
  };
  const filled = fill(template);
  if (unknownNames.size) throw new PackageError([...unknownNames].map((n) => `the template uses {{${n}}}, which is not one of ${Object.keys(values).join(', ')}`));
  const left = JSON.stringify(filled).match(/\{\{[^}]*\}\}?/);
  if (left) throw new PackageError([`the manifest still holds ${left[0]} after filling the template`]);
  return filled;
};

/** The Teams manifest schema for a manifest version, as bundled (offline) in @microsoft/app-manifest. */
export const bundledSchemaFile = (manifestVersion: string): string =>
  path.join(path.dirname(require.resolve('@microsoft/app-manifest/package.json')), 'build', 'json-schemas', 'teams', `v${manifestVersion}`, 'MicrosoftTeams.schema.json');

export const schemaUrl = (manifestVersion: string): string => `https://developer.microsoft.com/json-schemas/teams/v${manifestVersion}/MicrosoftTeams.schema.json`;

/**
 * Schema errors of a manifest (empty when valid), never touching the network: the schema must be
 * one that @microsoft/app-manifest bundles.
 */
export const validateManifest = async (manifest: Record<string, unknown>): Promise<string[]> => {
  const version = manifest.manifestVersion;
  if (typeof version !== 'string') return ['/manifestVersion is missing'];
  const file = bundledSchemaFile(version);
  if (!existsSync(file)) return [`/manifestVersion ${version} has no schema bundled in @microsoft/app-manifest: use one it bundles`];
  // Teams tools and this check should read the same schema: the one named by the version.
  if (manifest.$schema !== schemaUrl(version)) return [`/$schema must be ${schemaUrl(version)} for manifestVersion ${version} (got ${JSON.stringify(manifest.$schema)})`];
  // fetchSchema reads the bundled copy (and cleans its escapes) when the file exists, as checked above.
  const schema = await AppManifestUtils.fetchSchema(schemaUrl(version));
  return AppManifestUtils.validateAgainstSchema(manifest as unknown as AppManifest, schema);
};

const readIcons = (): Record<string, Buffer> => {
  const problems: string[] = [];
  const icons: Record<string, Buffer> = {};
  for (const [name, size] of Object.entries(ICON_SIZES)) {
    const file = path.join(MANIFEST_DIR, name);
    if (!existsSync(file)) {
      problems.push(`manifest/${name} is missing: run npx tsx scripts/make-icons.ts`);
      continue;
    }
    icons[name] = readFileSync(file);
    const actual = pngSize(icons[name]);
    if (!actual || actual.width !== size || actual.height !== size) {
      problems.push(`manifest/${name} must be a ${size}×${size} PNG (got ${actual ? `${actual.width}×${actual.height}` : 'something else'})`);
    }
  }
  if (problems.length) throw new PackageError(problems);
  return icons;
};

export interface PackageOptions {
  env?: NodeJS.ProcessEnv;
  outDir?: string;
}

export interface PackageResult {
  manifest: AppManifest;
  manifestFile: string;
  zipFile: string;
  values: PackageValues;
  warnings: string[];
}

export const buildAppPackage = async ({ env = process.env, outDir = DEFAULT_OUT_DIR }: PackageOptions = {}): Promise<PackageResult> => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const { values, warnings } = resolveValues(env, pkg.version);
  const manifest = fillTemplate(JSON.parse(readFileSync(TEMPLATE_FILE, 'utf8')), values) as Record<string, unknown>;
  const errors = await validateManifest(manifest);
  if (errors.length) throw new PackageError(errors.map((e) => `schema: ${e}`));
  const icons = readIcons();

  const manifestJson = `${JSON.stringify(manifest, null, 2)}\n`;
  const zip = new JSZip();
  // A fixed date keeps the zip byte-identical for the same inputs, so a rebuilt package diffs clean.
  const date = new Date(Date.UTC(2025, 0, 1));
  zip.file('manifest.json', manifestJson, { date });
  for (const [name, bytes] of Object.entries(icons)) zip.file(name, bytes, { date });
  const zipBytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });

  mkdirSync(outDir, { recursive: true });
  const manifestFile = path.join(outDir, 'manifest.json');
  const zipFile = path.join(outDir, ZIP_NAME);
  writeFileSync(manifestFile, manifestJson);
  writeFileSync(zipFile, zipBytes);
  return { manifest: manifest as unknown as AppManifest, manifestFile, zipFile, values, warnings };
};

const main = async (): Promise<number> => {
  const args = process.argv.slice(2);
  if (args.includes('-h') || args.includes('--help')) {
    process.stdout.write('Usage: npm run package [-- --out <dir>]   (values from TEAMS_APP_ID, BOT_ID, BOT_DOMAIN, ...; see scripts/package-app.ts)\n');
    return 0;
  }
  const outAt = args.indexOf('--out');
  const extra = args.filter((_, i) => outAt < 0 || (i !== outAt && i !== outAt + 1));
  if ((outAt >= 0 && !args[outAt + 1]) || extra.length) {
    process.stderr.write(`Unknown arguments: ${args.join(' ')}\nUsage: npm run package [-- --out <dir>]\n`);
    return 2;
  }
  try {
    const result = await buildAppPackage({ outDir: outAt >= 0 ? path.resolve(args[outAt + 1]) : DEFAULT_OUT_DIR });
    for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
    const { values } = result;
    const shown = path.relative(process.cwd(), result.zipFile);
    process.stdout.write(
      [
        `Teams app package: ${shown.startsWith('..') ? result.zipFile : shown} (manifest ${result.manifest.manifestVersion}, valid against the bundled schema)`,
        `  app ${values.TEAMS_APP_ID} version ${values.APP_VERSION}, bot ${values.BOT_ID}, domain ${values.BOT_DOMAIN}`,
        '  Upload it in Teams: Apps → Manage your apps → Upload an app.',
      ].join('\n') + '\n',
    );
    return 0;
  } catch (e) {
    if (!(e instanceof PackageError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 1;
  }
};

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssemblyNotFoundError, InvalidAssemblyError } from './errors';

/** The parts of a synthesized cloud assembly the reader uses, loaded from disk and shape-checked. */

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string | string[];
}

export interface CfnTemplate {
  Parameters?: Record<string, { Type?: string; Default?: unknown }>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Conditions?: Record<string, unknown>;
  Resources?: Record<string, CfnResource>;
  Outputs?: Record<string, { Value?: unknown; Export?: { Name?: unknown }; Condition?: string }>;
}

export interface AssemblyStack {
  /** The CloudFormation stack name (`properties.stackName`, else the artifact id). */
  stackName: string;
  artifactId: string;
  templateFile: string;
  template: CfnTemplate;
  dependencies: string[];
  /** The region of the manifest's `aws://account/region` environment, when not `unknown-region`. */
  region?: string;
}

export interface FileAsset {
  /** Absolute path of the asset as staged in the assembly (a directory for unpacked code). */
  sourcePath: string;
  packaging: string;
}

export interface LoadedAssembly {
  directory: string;
  stacks: AssemblyStack[];
  /** Every file asset by the S3 object key it is published under. */
  assetsByObjectKey: Map<string, FileAsset>;
}

interface ManifestArtifact {
  type?: string;
  environment?: string;
  properties?: { templateFile?: string; stackName?: string; file?: string };
  dependencies?: string[];
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidAssemblyError(`cannot read ${what} ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidAssemblyError(`${what} ${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function loadCloudAssembly(assemblyDir: string): LoadedAssembly {
  const directory = path.resolve(assemblyDir);
  const manifestFile = path.join(directory, 'manifest.json');
  if (!fs.existsSync(manifestFile)) throw new AssemblyNotFoundError(directory);
  const manifest = readJson(manifestFile, 'assembly manifest');
  if (!isObject(manifest) || !isObject(manifest.artifacts)) {
    throw new InvalidAssemblyError(`assembly manifest ${manifestFile} has no "artifacts" object`);
  }
  const artifacts = manifest.artifacts as Record<string, ManifestArtifact>;

  const stacks: AssemblyStack[] = [];
  const assetsByObjectKey = new Map<string, FileAsset>();
  for (const [artifactId, artifact] of Object.entries(artifacts)) {
    if (artifact.type === 'aws:cloudformation:stack') {
      const templateFile = artifact.properties?.templateFile;
      if (typeof templateFile !== 'string') throw new InvalidAssemblyError(`stack artifact ${artifactId} has no properties.templateFile`);
      const template = readJson(path.join(directory, templateFile), `template of stack ${artifactId}`);
      if (!isObject(template)) throw new InvalidAssemblyError(`template ${templateFile} of stack ${artifactId} is not an object`);
      if (template.Resources !== undefined && !isObject(template.Resources)) {
        throw new InvalidAssemblyError(`template ${templateFile} of stack ${artifactId}: "Resources" is not an object`);
      }
      const region = /^aws:\/\/[^/]+\/(.+)$/.exec(artifact.environment ?? '')?.[1];
      stacks.push({
        stackName: artifact.properties?.stackName ?? artifactId,
        artifactId,
        templateFile,
        template: template as CfnTemplate,
        dependencies: (artifact.dependencies ?? []).filter((id) => artifacts[id]?.type === 'aws:cloudformation:stack'),
        ...(region && region !== 'unknown-region' ? { region } : {}),
      });
    } else if (artifact.type === 'cdk:asset-manifest') {
      const file = artifact.properties?.file;
      if (typeof file !== 'string') throw new InvalidAssemblyError(`asset manifest artifact ${artifactId} has no properties.file`);
      readAssetManifest(directory, file, assetsByObjectKey);
    }
  }
  if (stacks.length === 0) throw new InvalidAssemblyError(`assembly ${directory} has no CloudFormation stacks`);
  return { directory, stacks: orderByDependencies(stacks), assetsByObjectKey };
}

function readAssetManifest(directory: string, file: string, into: Map<string, FileAsset>): void {
  const manifest = readJson(path.join(directory, file), 'asset manifest');
  if (!isObject(manifest)) throw new InvalidAssemblyError(`asset manifest ${file} is not an object`);
  const files = isObject(manifest.files) ? manifest.files : {};
  for (const [assetId, entry] of Object.entries(files)) {
    if (!isObject(entry) || !isObject(entry.source) || typeof entry.source.path !== 'string') {
      throw new InvalidAssemblyError(`asset manifest ${file}: file asset ${assetId} has no source.path`);
    }
    const asset: FileAsset = {
      sourcePath: path.resolve(directory, entry.source.path),
      packaging: typeof entry.source.packaging === 'string' ? entry.source.packaging : 'file',
    };
    for (const destination of Object.values(isObject(entry.destinations) ? entry.destinations : {})) {
      if (isObject(destination) && typeof destination.objectKey === 'string') into.set(destination.objectKey, asset);
    }
  }
}

/** Dependencies first, so messages and the topology list producers before consumers. */
function orderByDependencies(stacks: AssemblyStack[]): AssemblyStack[] {
  const byId = new Map(stacks.map((stack) => [stack.artifactId, stack]));
  const ordered: AssemblyStack[] = [];
  const visiting = new Set<string>();
  const visit = (stack: AssemblyStack): void => {
    if (ordered.includes(stack) || visiting.has(stack.artifactId)) return;
    visiting.add(stack.artifactId);
    for (const dependency of stack.dependencies) {
      const other = byId.get(dependency);
      if (other) visit(other);
    }
    ordered.push(stack);
  };
  stacks.forEach(visit);
  return ordered;
}

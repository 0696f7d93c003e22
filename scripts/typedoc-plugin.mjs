// TypeDoc plugin of the API reference (typedoc.json, `pnpm docs`).
//
// - notExported for the published packages. TypeDoc's own check only looks
//   at types of the package the project is named after (the private root,
//   x-sfu), so it would pass anything here. The same check is made for the
//   packages of `packagesRequiringDocumentation`: a public signature that uses
//   a type its package does not export is a warning, hence an error.
//   `publishedNotExported` lists the deliberate exceptions.
// - mediasoup's own API (packages/mediasoup/lib, unpacked from mediasoup's
//   tarball at install) is external code, left out of the reference; the
//   mediasoup types our signatures use link to mediasoup's v3 documentation.
// - The protobufjs `$Shape` types of @x/protocol's generated `pb` namespace
//   (a message's fields, narrowed per oneof member) repeat the fields of the
//   message class without their comments: each gets the comment of the class
//   field of the same name, so the generated code needs no hand edit.
// - Members that classes inherit from @x/shared's Emitter (bundled into each
//   package, never published) are documented on those classes, without the
//   private package's file names.
import {
  Application,
  ContainerReflection,
  Converter,
  DeclarationReflection,
  makeRecursiveVisitor,
  ParameterReflection,
  ParameterType,
  ReflectionKind,
  SignatureReflection,
  TypeParameterReflection,
} from 'typedoc';

const MEDIASOUP_DOCS = 'https://mediasoup.org/documentation/v3/mediasoup';

// The pages of mediasoup's documentation that hold a lib/ file's types
// (anchors are the type names); the rest are on its API page.
const MEDIASOUP_PAGES = {
  'lib/RtpParameters.d.ts': 'rtp-parameters-and-capabilities',
  'lib/SctpParameters.d.ts': 'sctp-parameters',
  'lib/SrtpParameters.d.ts': 'srtp-parameters',
};

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.options.addDeclaration({
    name: 'publishedNotExported',
    help: 'Types that public signatures of the published packages may use unexported ("package/path:Name").',
    type: ParameterType.Array,
    defaultValue: [],
  });

  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => validateExports(app, project));

  app.converter.addUnknownSymbolResolver((ref, _reflection, _part, symbolId) => {
    const packageName = symbolId?.packageName ?? ref.moduleSource;
    const packagePath = symbolId?.packagePath ?? '';
    if (packageName !== '@x/mediasoup' || !packagePath.startsWith('lib/')) return undefined;
    const name = ref.symbolReference?.path?.at(-1)?.path;
    const page = MEDIASOUP_PAGES[packagePath] ?? 'api';
    return `${MEDIASOUP_DOCS}/${page}/${name ? `#${name}` : ''}`;
  });

  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const project = context.project;
    for (const property of project.getReflectionsByKind(ReflectionKind.Property)) {
      if (property.hasComment()) continue;
      const shape = enclosingShape(property);
      if (!shape) continue;
      const id = project.getSymbolIdFromReflection(shape);
      if (id?.packageName !== '@x/protocol' || !id.packagePath.startsWith('src/generated/')) {
        continue;
      }
      const field = messageClass(shape)?.getChildByName(property.name);
      if (field?.comment) property.comment = field.comment.clone();
    }
  });

  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    for (const reflection of Object.values(context.project.reflections)) {
      const id = context.project.getSymbolIdFromReflection(reflection);
      if (id?.packageName === '@x/shared') delete reflection.sources;
    }
  });
}

function validateExports(app, project) {
  if (!app.options.getValue('validation').notExported) return;
  const published = new Set(app.options.getValue('packagesRequiringDocumentation'));
  const allowed = new Set(app.options.getValue('publishedNotExported'));
  const used = new Set();
  const warned = new Set();
  for (const { type, owner } of referenceTypes(project)) {
    if (type.reflection || type.externalUrl || type.isIntentionallyBroken()) continue;
    if (!published.has(type.package)) continue;
    const where = type.symbolId
      ? `${type.symbolId.packageName}/${type.symbolId.packagePath}`
      : type.package;
    const key = `${where}:${type.qualifiedName}`;
    if (allowed.has(key)) {
      used.add(key);
      continue;
    }
    if (warned.has(key)) continue;
    warned.add(key);
    app.logger.warn(
      `${type.qualifiedName}, defined in ${where}, is referenced by ${owner.getFriendlyFullName()} but not exported by its package's entry point`,
    );
  }
  for (const key of allowed) {
    if (!used.has(key))
      app.logger.warn(`publishedNotExported: ${key} is not referenced (remove it)`);
  }
}

/** Every type reference in the documented API, with the reflection it appears in. */
function referenceTypes(project) {
  const found = [];
  const queue = [project];
  let owner;
  const visitor = makeRecursiveVisitor({
    reference(type) {
      found.push({ type, owner });
    },
    reflection(type) {
      queue.push(type.declaration);
    },
  });
  const add = (items) => {
    if (Array.isArray(items)) queue.push(...items);
    else if (items) queue.push(items);
  };
  while (queue.length > 0) {
    owner = queue.shift();
    if (owner instanceof ContainerReflection) add(owner.children);
    if (owner instanceof DeclarationReflection) {
      owner.type?.visit(visitor);
      add(owner.typeParameters);
      add(owner.signatures);
      add(owner.indexSignatures);
      add(owner.getSignature);
      add(owner.setSignature);
      owner.overwrites?.visit(visitor);
      for (const t of owner.implementedTypes ?? []) t.visit(visitor);
    }
    if (owner instanceof SignatureReflection) {
      add(owner.parameters);
      add(owner.typeParameters);
      owner.type?.visit(visitor);
    }
    if (owner instanceof ParameterReflection) owner.type?.visit(visitor);
    if (owner instanceof TypeParameterReflection) {
      owner.type?.visit(visitor);
      owner.default?.visit(visitor);
    }
  }
  return found;
}

/** The generated `$Shape` type alias a property is declared in, if any. */
function enclosingShape(reflection) {
  for (let r = reflection.parent; r; r = r.parent) {
    if (r.kindOf(ReflectionKind.TypeAlias)) return r.name === '$Shape' ? r : undefined;
    if (!r.kindOf(ReflectionKind.TypeLiteral)) return undefined;
  }
  return undefined;
}

/** The message class of a `$Shape` (pbjs declares it in a namespace of the class's name). */
function messageClass(shape) {
  const namespace = shape.parent;
  const classes = namespace?.parent?.getChildrenByKind(ReflectionKind.Class) ?? [];
  return classes.find((c) => c.name === namespace.name);
}

// Build the front-end: compile our Sass (NHS.UK frontend with a local font stack) and copy
// nhsuk-frontend's JavaScript and images into static/. The outputs are not committed.
import { compile, NodePackageImporter } from 'sass'
import { cpSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const nhsuk = join(root, 'node_modules', 'nhsuk-frontend', 'dist', 'nhsuk')
const stat = join(root, 'static')

const result = compile(join(stat, 'scss', 'portal.scss'), {
  importers: [new NodePackageImporter()],
  style: 'compressed',
  quietDeps: true,
  silenceDeprecations: ['import']
})
if (/url\(\s*["']?https?:/i.test(result.css) || /@import\s+url\(\s*["']?https?:/i.test(result.css)) {
  console.error('The built CSS refers to an address outside the portal. Refusing to continue.')
  process.exit(1)
}
mkdirSync(join(stat, 'dist'), { recursive: true })
writeFileSync(join(stat, 'dist', 'portal.css'), result.css)
mkdirSync(join(stat, 'vendor'), { recursive: true })
cpSync(join(nhsuk, 'nhsuk-frontend.min.js'), join(stat, 'vendor', 'nhsuk-frontend.min.js'))
cpSync(join(nhsuk, 'assets', 'images'), join(stat, 'images'), { recursive: true })
console.log(`Built static/dist/portal.css (${Math.round(result.css.length / 1024)} KB) and copied NHS.UK frontend assets.`)

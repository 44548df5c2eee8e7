// Progressive enhancement only: every page works without JavaScript.
import { initAll } from '../vendor/nhsuk-frontend.min.js'

initAll()

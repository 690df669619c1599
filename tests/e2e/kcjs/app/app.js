// The test app: keycloak-js configured from this page's query string. The test reads the
// outcome from window.kcOutcome (a promise) and drives the adapter through window.kc.
import Keycloak from '/keycloak-js/keycloak.js'

const query = new URLSearchParams(location.search)
const kc = new Keycloak({ url: query.get('url'), realm: query.get('realm'), clientId: query.get('client') })
const options = {
  onLoad: query.get('onLoad') || 'login-required',
  flow: query.get('flow') || 'standard',
  responseMode: query.get('responseMode') || 'fragment',
  checkLoginIframe: query.get('iframe') === '1',
  checkLoginIframeInterval: 1,
  enableLogging: true
}
if (query.get('silent') === '1') {
  options.silentCheckSsoRedirectUri = location.origin + '/silent-check-sso.html'
}
const changes = []
kc.onAuthLogout = () => changes.push('logout')
window.kc = kc
window.kcChanges = changes
window.kcOutcome = kc.init(options).then(
  (authenticated) => ({ authenticated, url: location.href }),
  (error) => ({ error: error?.error || error?.message || String(error), url: location.href })
)
window.kcOutcome.then((outcome) => {
  document.getElementById('state').textContent = JSON.stringify(outcome)
})

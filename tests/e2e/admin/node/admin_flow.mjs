// Drives realmgate with Keycloak's official admin client, unchanged: realms, clients (secret
// regeneration), users (password reset), roles and composites, groups, client scopes.
// Usage: node admin_flow.mjs BASE_URL REALM ; prints one JSON object of observations.
import KcAdminClient from "@keycloak/keycloak-admin-client";

const [baseUrl, realm] = process.argv.slice(2);
const kc = new KcAdminClient({ baseUrl, realmName: "master" });
await kc.auth({ username: "admin", password: "admin", grantType: "password", clientId: "admin-cli" });

const out = {};
// serverInfo.find() asks for "//admin/serverinfo": the server must collapse the doubled slash.
out.serverVersion = (await kc.serverInfo.find()).systemInfo.version;
out.whoami = (await kc.whoAmI.find({ realm: "master" })).realm;
await kc.realms.create({ realm, enabled: true });
kc.setConfig({ realmName: realm });
out.realm = (await kc.realms.findOne({ realm })).realm;

const { id: clientId } = await kc.clients.create({ clientId: "node-app", redirectUris: ["*"] });
const before = (await kc.clients.getClientSecret({ id: clientId })).value;
const after = (await kc.clients.generateNewClientSecret({ id: clientId })).value;
out.secretChanged = before !== after && after === (await kc.clients.getClientSecret({ id: clientId })).value;
out.clientFound = (await kc.clients.find({ clientId: "node-app" })).map((c) => c.id).includes(clientId);

const { id: userId } = await kc.users.create({ username: "node-user", enabled: true });
await kc.users.resetPassword({ id: userId, credential: { type: "password", value: "node-pw", temporary: false } });
out.userCount = await kc.users.count();
out.username = (await kc.users.findOne({ id: userId })).username;

await kc.roles.create({ name: "node-reader" });
await kc.roles.create({ name: "node-writer" });
const reader = await kc.roles.findOneByName({ name: "node-reader" });
const writer = await kc.roles.findOneByName({ name: "node-writer" });
await kc.roles.createComposite({ roleId: writer.id }, [reader]);
await kc.users.addRealmRoleMappings({ id: userId, roles: [{ id: writer.id, name: writer.name }] });
out.effectiveRoles = (await kc.users.listCompositeRealmRoleMappings({ id: userId })).map((r) => r.name).sort();

const { id: groupId } = await kc.groups.create({ name: "node-group" });
await kc.users.addToGroup({ id: userId, groupId });
out.groups = (await kc.users.listGroups({ id: userId })).map((g) => g.name);
out.members = (await kc.groups.listMembers({ id: groupId })).map((u) => u.username);

const scopes = await kc.clientScopes.find();
out.hasProfileScope = scopes.some((s) => s.name === "profile");
out.clientDefaultScopes = (await kc.clients.listDefaultClientScopes({ id: clientId })).map((s) => s.name).sort();

try {
  await kc.users.create({ username: "node-user" });
  out.duplicate = "accepted";
} catch (err) {
  out.duplicate = err.response?.status ?? String(err);
}
console.log(JSON.stringify(out));

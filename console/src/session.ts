/** The API key lives in sessionStorage: it goes when the tab closes, and is never written elsewhere. */
const KEY = 'sluice.apiKey';
const TENANT = 'sluice.tenantId';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  tenant: () => sessionStorage.getItem(TENANT),
  signIn(key: string) {
    sessionStorage.setItem(KEY, key);
  },
  pickTenant(id: string) {
    sessionStorage.setItem(TENANT, id);
  },
  signOut() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(TENANT);
  },
};

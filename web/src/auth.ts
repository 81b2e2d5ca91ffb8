/**
 * Login: OIDC authorization code with PKCE against the realm's public client, through
 * oidc-client-ts. The access token is renewed with the refresh token before it expires
 * (automaticSilentRenew), so a wall stays logged in for as long as Keycloak's session lives.
 */
import { UserManager, WebStorageStateStore, type User } from "oidc-client-ts";

/** What the server tells the page (GET <base>/config.json, or in the page): where to log in. */
export interface WebConfig {
  authority: string;
  clientId: string;
}

export async function loadConfig(): Promise<WebConfig> {
  // The phones' page carries it (a round trip less on a slow network); a cached copy is empty.
  const carried = document.querySelector<HTMLMetaElement>('meta[name="redgrid-config"]')?.content;
  if (carried) return JSON.parse(carried) as WebConfig;
  const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  return (await response.json()) as WebConfig;
}

export class Auth {
  private readonly manager: UserManager;
  private user: User | null = null;

  /** `store` keeps the session: a wall's tab (sessionStorage), or a phone across restarts. */
  constructor(config: WebConfig, store: Storage = window.sessionStorage) {
    const home = new URL(import.meta.env.BASE_URL, window.location.origin).href;
    this.manager = new UserManager({
      authority: config.authority,
      client_id: config.clientId,
      redirect_uri: home,
      post_logout_redirect_uri: home,
      response_type: "code",
      scope: "openid",
      automaticSilentRenew: true,
      // A wall is one tab for days: by default its session lives across reloads of that tab only.
      userStore: new WebStorageStateStore({ store }),
    });
    this.manager.events.addUserLoaded((user) => {
      this.user = user;
    });
    this.manager.events.addSilentRenewError(() => {
      // A refresh failed (Keycloak session ended): log in again rather than show stale data.
      void this.manager.signinRedirect();
    });
  }

  /** The logged-in user, after finishing a redirect back from the login page or starting one. */
  async login(): Promise<User> {
    const url = new URL(window.location.href);
    if (url.searchParams.has("code") && url.searchParams.has("state")) {
      this.user = await this.manager.signinRedirectCallback();
      window.history.replaceState(null, "", url.pathname);
      return this.user;
    }
    this.user = await this.manager.getUser();
    if (this.user && !this.user.expired) return this.user;
    if (this.user?.refresh_token) {
      try {
        this.user = await this.manager.signinSilent();
        if (this.user) return this.user;
      } catch {
        // fall through to a fresh login
      }
    }
    await this.manager.signinRedirect();
    return new Promise<User>(() => undefined); // the page is leaving
  }

  /** The current access token (renewed in the background). */
  token(): string {
    if (!this.user) throw new Error("not logged in");
    return this.user.access_token;
  }

  logout(): Promise<void> {
    return this.manager.signoutRedirect();
  }
}

/** The BFF's routes: /auth/* (sign-in, callback, who-am-I, sign-out) and /api/* (to the gateway with the session's token). */
export { authRoutes, type AuthRouteDeps } from "./auth";
export { proxyRoutes, type ProxyDeps } from "./proxy";

// Package plesk answers Plesk's XML API (agent.php) for FTP accounts, so
// that automation written for Plesk manages ftpanel's accounts unchanged.
//
// A client posts a <packet> to /enterprise/control/agent.php with either
// the KEY header (an ftpanel API token) or HTTP_AUTH_LOGIN and
// HTTP_AUTH_PASSWD (panel credentials of an administrator or a customer).
// The packet holds any number of <ftp-user> operators, each with any mix
// of add, get, set and del, and <webspace><get> to look up sites. The
// package translates each operation into one hosting.Service call and the
// result (or hosting error code, through errcode) back into Plesk's
// answer; it applies no rule of its own.
//
// Requests that are not well-formed or do not follow Plesk's schema are
// refused as a whole with a <system> error (1014), as are authentication
// failures (1001, 11003) and unknown protocol versions (1005); otherwise
// every operation answers on its own, so one failing operation does not
// stop the others. Like Plesk, ftp-user covers the additional accounts of
// a site only: a site's main account is invisible there. README.md lists
// what is supported and where ftpanel differs from Plesk.
package plesk

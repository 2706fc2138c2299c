// Package hestia is ftpanel's HestiaCP-compatible API: POST /api/ (and
// /api/index.php) with cmd, arg1..arg13 and returncode, authenticated by a
// HestiaCP access key (hash=ACCESS:SECRET or access_key+secret_key) or by a
// panel administrator's user/password (HestiaCP's legacy form). It answers
// the six web-domain FTP commands (v-list-web-domains, v-list-web-domain,
// v-add-web-domain-ftp, v-change-web-domain-ftp-password,
// v-change-web-domain-ftp-path, v-delete-web-domain-ftp) with HestiaCP's
// exit codes, texts, HTTP statuses and JSON, so that automation written for
// HestiaCP (WHMCS modules among it) manages ftpanel's FTP accounts unchanged.
//
// A HestiaCP USER is a customer login, a DOMAIN one of its sites, and an FTP
// account USER_NAME one of the site's additional accounts; main accounts
// stand for the HestiaCP user itself and are not listed or changed here.
// The package only translates: every rule is hosting.Service's.
// Protocol facts: ../shared/compat/HESTIA.md; deviations: README.md.
package hestia

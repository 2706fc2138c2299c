package password

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

const (
	pwASCII = "correct horse battery staple"
	pwUTF8  = "pässwörd-ü"
)

// cheap are argon2id parameters fast enough for tests.
var cheap = Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32}

// vectors were generated on the development machine by independent
// implementations, not by this package:
//   - argon2id: libargon2 (reference implementation) argon2id_hash_encoded via ctypes
//   - $1$ $5$ $6$: openssl passwd -1/-5/-6 -salt ...  (OpenSSL 3.0)
//   - $2a$ $2b$ $2y$, $y$, and the empty-password vectors: libxcrypt crypt(3) via python3 crypt
//   - the first $y$ vector is also the example vector of yescrypt-go
var vectors = []struct {
	scheme, encoded, pw string
}{
	{"argon2id", "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0", pwASCII},
	{"argon2id", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHlzYWx0IQ$M/8Fme+fSKyd4rHOttnI5XO8XRdb0qoKhHHqlwxZ9H4", pwUTF8},
	{"argon2id", "$argon2id$v=19$m=8192,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$VHzV7ZRlP8mYVIlTfTRdlw", pwASCII},

	{"bcrypt", "$2y$05$Ab3dEfGh1jKlMnOpQrStUupg3IX.V.SKy9SjO88pIqTo19qaTGavi", pwASCII},
	{"bcrypt", "$2b$06$Zyx.Wvu/TsrQponMlkjIhee06CAhzBx7qlIdKCSm3a5Yh2eHPlrFW", pwUTF8},
	{"bcrypt", "$2a$04$ReallyRandomSaltValue.7B1k7u3sOCBscAaMElh8Ro3eynmGbu.", pwASCII},
	// bcrypt only uses the first 72 bytes of the password.
	{"bcrypt", "$2b$04$Ab3dEfGh1jKlMnOpQrStUuIHtZKRJNbhSu87OgoS4hk5mXtscTyvS", strings.Repeat("a", 80)},
	{"bcrypt", "$2b$04$Ab3dEfGh1jKlMnOpQrStUuIHtZKRJNbhSu87OgoS4hk5mXtscTyvS", strings.Repeat("a", 72)},

	{"md5-crypt", "$1$Zf3nQ8aB$Dm5tvd9dU2yvsWHNEXoTc1", pwASCII},
	{"md5-crypt", "$1$x1$AiuwetUQWqeEDM5nHf4Sh.", pwUTF8},
	{"md5-crypt", "$1$$zoYVCpjXXFW7mz9BsFHro.", pwASCII},
	{"md5-crypt", "$1$$qRPK7m23GJusamGpoGLby/", ""},

	{"sha256-crypt", "$5$Gk4bYqUe0NwR1pLs$7nRn0pJNgyIn0goxtk/tsLlcZUPJH3WwKIVcYEXzrO3", pwASCII},
	{"sha256-crypt", "$5$rounds=12000$a9D.e/Kq$xZaTjQpKnz0ANr/pQX5YInaobkHyM/IRPSDtw/gL/j0", pwUTF8},
	{"sha256-crypt", "$5$rounds=1000$x$Pld3161CECUoQ4IhnMIkLWFG95rnaG0H1bmrfEBB3C9", pwASCII},

	{"sha512-crypt", "$6$P2vC7xWm5jHt9aLz$ckHZazlmrRg3.GmdectzZfzj2Y8Elmfy8SQHTXTGfy8HkyuoobclHt5.zmYKLsAMRPU21dsAXWahr9FwvKQXS1", pwASCII},
	{"sha512-crypt", "$6$rounds=20000$Qw8/Er.Ty$SgK5rMLW3JDby.WomMBhzcRLbaUybvLIOafa1i5WaPKjq2ABaqreVTQpdkr4NoLec4Yn48Ij1IXNMjAaLSbgj/", pwUTF8},
	{"sha512-crypt", "$6$rounds=5000$zzz$JDzHw62yby8pE86L3oFX1BkMXcoahrzhmjZGGnPQ//sPY6MN79d9Yy/HfeFIXmIQrvKzyBtKvyp5X2cc9h.P7/", pwASCII},
	{"sha512-crypt", "$6$rounds=1000$abc$zaWpAwySRl8PX4W2aEMJwxpN82bCKtDZP0RBdOD6W7BQlilBqAsWnAZuS10iUyJZneS8Ob1gxs1BZkqJi1nTi.", "x"},
	{"sha512-crypt", "$6$Empty.Pw$J9CgbNSFMOEbS.fSF2Rv7/5eOn4pmGN2J2OU5YAWxNHM4cYbGM9gMAlJGCDg9z.T2lzYP5tzTIheJqXf.rKz40", ""},

	{"yescrypt", "$y$j9T$AAt9R641xPvCI9nXw1HHW/$cuQRBMN3N/f8IcmVN.4YrZ1bHMOiLOoz9/XQMKV/v0A", "openwall"},
	{"yescrypt", "$y$j9T$AAt9R641xPvCI9nXw1HHW/$TOYgJKiXcH/auni8S.vtnILcYzHyZW70inELqm8O4j6", ""},
	{"yescrypt", "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$y8e1eitiNDaQsFFW6d.9KbSTlk5zV3R3coZQtfcNAO5", pwASCII},
	{"yescrypt", "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$MyGKUL600OYORY8VOOIq8BtqJapr5GQi2Q1eZVYfvJD", pwUTF8},
	{"yescrypt", "$y$j8T$4jD2vZ.hQ/nR7Lq1cW9e20$YbaEqKY1seltliZTiI2b/Lsrwv4iqouFVdEeEELZNSC", pwASCII},
	{"yescrypt", "$y$j8T$4jD2vZ.hQ/nR7Lq1cW9e20$c/W0V42YB16t6Jj2m8WFy36Gv98RScyuQ9FcXKyZTTD", pwUTF8},
	{"yescrypt", "$y$jC5$AbCdEfGhIjKlMnOpQrStU.$YaZZ./TlzTlaU5t1a1ROLLwStgJi/4qqtfHLB50OMf5", pwASCII},
	{"yescrypt", "$y$jC5$AbCdEfGhIjKlMnOpQrStU.$LU9mo3.Qs3hI9Ix1Tl5pO2ysAQxZBA13i/CB3UbpID8", pwUTF8},
}

// malformed are encodings Verify must reject with ErrUnsupported, quickly.
var malformed = []struct{ name, encoded string }{
	{"empty", ""},
	{"plaintext", "hunter2"},
	{"just dollar", "$"},
	{"argon2i", "$argon2i$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2d", "$argon2d$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"scrypt", "$7$CU..../....abcdefgh$0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"},
	{"des", "abJnggxhB/yWI"},
	{"apr1", "$apr1$saltsalt$abcdefghijklmnopqrstuv"},
	{"bcrypt 2x", "$2x$05$Ab3dEfGh1jKlMnOpQrStUupg3IX.V.SKy9SjO88pIqTo19qaTGavi"},
	{"bcrypt 2 no minor", "$2$05$Ab3dEfGh1jKlMnOpQrStUupg3IX.V.SKy9SjO88pIqTo19qaTGavi"},

	{"argon2id prefix only", "$argon2id$"},
	{"argon2id truncated key", "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg"},
	{"argon2id truncated params", "$argon2id$v=19$m=19456,t=2"},
	{"argon2id empty key", "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$"},
	{"argon2id no version", "$argon2id$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id v=16", "$argon2id$v=16$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id m huge", "$argon2id$v=19$m=4294967295,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id m overflow", "$argon2id$v=19$m=99999999999999999999,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id m 1GiB+1", "$argon2id$v=19$m=1048577,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id m below 8p", "$argon2id$v=19$m=31,t=2,p=4$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id t huge", "$argon2id$v=19$m=19456,t=4294967295,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id t 4097", "$argon2id$v=19$m=8,t=4097,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id t*m above 20 GiB", "$argon2id$v=19$m=1048576,t=21,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id t 0", "$argon2id$v=19$m=19456,t=0,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id p 65", "$argon2id$v=19$m=19456,t=2,p=65$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id p 256", "$argon2id$v=19$m=19456,t=2,p=256$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id p 0", "$argon2id$v=19$m=19456,t=2,p=0$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id negative", "$argon2id$v=19$m=-1,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id plus sign", "$argon2id$v=19$m=+19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id leading zero", "$argon2id$v=19$m=019456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id params reordered", "$argon2id$v=19$t=2,m=19456,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id extra param", "$argon2id$v=19$m=19456,t=2,p=1,x=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id extra field", "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0$x"},
	{"argon2id padded b64", "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg==$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id url b64", "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB_S2U1OhTsM0"},
	{"argon2id short salt", "$argon2id$v=19$m=19456,t=2,p=1$YWJj$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id short key", "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$YWJj"},
	{"argon2id key 129", "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$" + strings.Repeat("A", 172)},
	{"argon2id salt 257", "$argon2id$v=19$m=19456,t=2,p=1$" + strings.Repeat("A", 343) + "$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},
	{"argon2id huge encoding", "$argon2id$v=19$m=19456,t=2,p=1$" + strings.Repeat("A", 100000) + "$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"},

	{"bcrypt truncated", "$2b$10$Ab3dEfGh1jKlMnOpQrStUupg3IX.V.SKy9SjO88pIqTo19qa"},
	{"bcrypt prefix only", "$2b$"},
	{"bcrypt trailing junk", "$2y$05$Ab3dEfGh1jKlMnOpQrStUupg3IX.V.SKy9SjO88pIqTo19qaTGaviXYZ"},
	{"bcrypt cost 31", "$2b$31$Ab3dEfGh1jKlMnOpQrStUupg3IX.V.SKy9SjO88pIqTo19qaTGavi"},
	{"bcrypt cost 17", "$2b$17$Ab3dEfGh1jKlMnOpQrStUupg3IX.V.SKy9SjO88pIqTo19qaTGavi"},
	{"bcrypt cost 03", "$2b$03$Ab3dEfGh1jKlMnOpQrStUupg3IX.V.SKy9SjO88pIqTo19qaTGavi"},
	{"bcrypt cost letters", "$2b$1a$Ab3dEfGh1jKlMnOpQrStUupg3IX.V.SKy9SjO88pIqTo19qaTGavi"},
	{"bcrypt bad alphabet", "$2b$05$Ab3dEfGh1jKlMnOpQrStUupg3IX.V.SKy9SjO88pIqTo19qaTGa+i"},
	{"bcrypt missing dollar", "$2b$05Ab3dEfGh1jKlMnOpQrStUupg3IX.V.SKy9SjO88pIqTo19qaTGavi"},

	{"md5 truncated", "$1$Zf3nQ8aB$Dm5tvd9dU2yvsWHNEX"},
	{"md5 no hash", "$1$Zf3nQ8aB"},
	{"md5 long salt", "$1$Zf3nQ8aBx$Dm5tvd9dU2yvsWHNEXoTc1"},
	{"md5 rounds salt", "$1$rounds=1$Dm5tvd9dU2yvsWHNEXoTc1"},
	{"md5 extra field", "$1$Zf3nQ8aB$Dm5tvd9dU2yvsWHNEXoTc1$"},
	{"md5 bad alphabet", "$1$Zf3nQ8aB$Dm5tvd9dU2yvsWHNEXoTc+"},

	{"sha512 rounds huge", "$6$rounds=999999999$Qw8/Er.Ty$SgK5rMLW3JDby.WomMBhzcRLbaUybvLIOafa1i5WaPKjq2ABaqreVTQpdkr4NoLec4Yn48Ij1IXNMjAaLSbgj/"},
	{"sha512 rounds overflow", "$6$rounds=99999999999999999999$Qw8/Er.Ty$SgK5rMLW3JDby.WomMBhzcRLbaUybvLIOafa1i5WaPKjq2ABaqreVTQpdkr4NoLec4Yn48Ij1IXNMjAaLSbgj/"},
	{"sha512 rounds above cap", "$6$rounds=5000001$Qw8/Er.Ty$SgK5rMLW3JDby.WomMBhzcRLbaUybvLIOafa1i5WaPKjq2ABaqreVTQpdkr4NoLec4Yn48Ij1IXNMjAaLSbgj/"},
	{"sha512 rounds below min", "$6$rounds=999$Qw8/Er.Ty$SgK5rMLW3JDby.WomMBhzcRLbaUybvLIOafa1i5WaPKjq2ABaqreVTQpdkr4NoLec4Yn48Ij1IXNMjAaLSbgj/"},
	{"sha512 rounds letters", "$6$rounds=abc$Qw8/Er.Ty$SgK5rMLW3JDby.WomMBhzcRLbaUybvLIOafa1i5WaPKjq2ABaqreVTQpdkr4NoLec4Yn48Ij1IXNMjAaLSbgj/"},
	{"sha512 rounds negative", "$6$rounds=-5000$Qw8/Er.Ty$SgK5rMLW3JDby.WomMBhzcRLbaUybvLIOafa1i5WaPKjq2ABaqreVTQpdkr4NoLec4Yn48Ij1IXNMjAaLSbgj/"},
	{"sha512 rounds leading zero", "$6$rounds=020000$Qw8/Er.Ty$SgK5rMLW3JDby.WomMBhzcRLbaUybvLIOafa1i5WaPKjq2ABaqreVTQpdkr4NoLec4Yn48Ij1IXNMjAaLSbgj/"},
	{"sha512 rounds only", "$6$rounds=5000"},
	{"sha512 prefix only", "$6$"},
	{"sha512 setting only", "$6$P2vC7xWm5jHt9aLz"},
	{"sha512 truncated", "$6$P2vC7xWm5jHt9aLz$ckHZazlmrRg3.GmdectzZfzj2Y8Elmfy8SQHTXTGfy8HkyuoobclHt5.zmYKLsAMRPU21dsAXWahr9Fw"},
	{"sha512 long salt", "$6$P2vC7xWm5jHt9aLzQ$ckHZazlmrRg3.GmdectzZfzj2Y8Elmfy8SQHTXTGfy8HkyuoobclHt5.zmYKLsAMRPU21dsAXWahr9FwvKQXS1"},
	{"sha512 extra field", "$6$P2vC7xWm5jHt9aLz$ckHZazlmrRg3.GmdectzZfzj2Y8Elmfy8SQHTXTGfy8HkyuoobclHt5.zmYKLsAMRPU21dsAXWahr9FwvKQXS1$"},
	{"sha256 with sha512 length", "$5$P2vC7xWm5jHt9aLz$ckHZazlmrRg3.GmdectzZfzj2Y8Elmfy8SQHTXTGfy8HkyuoobclHt5.zmYKLsAMRPU21dsAXWahr9FwvKQXS1"},
	{"sha256 rounds huge", "$5$rounds=999999999$a9D.e/Kq$xZaTjQpKnz0ANr/pQX5YInaobkHyM/IRPSDtw/gL/j0"},

	{"yescrypt prefix only", "$y$"},
	{"yescrypt setting only", "$y$j9T$F5Jx5fExrKuPp53xLKQ..1"},
	{"yescrypt setting with dollar", "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$"},
	{"yescrypt truncated", "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$y8e1eitiNDaQsFFW6d.9KbSTlk5zV3R3coZQ"},
	{"yescrypt N too big", "$y$jzT$F5Jx5fExrKuPp53xLKQ..1$y8e1eitiNDaQsFFW6d.9KbSTlk5zV3R3coZQtfcNAO5"},
	{"yescrypt N 2^19", "$y$jHT$F5Jx5fExrKuPp53xLKQ..1$y8e1eitiNDaQsFFW6d.9KbSTlk5zV3R3coZQtfcNAO5"},
	{"yescrypt N too small", "$y$j6T$F5Jx5fExrKuPp53xLKQ..1$y8e1eitiNDaQsFFW6d.9KbSTlk5zV3R3coZQtfcNAO5"},
	{"yescrypt r too big", "$y$j9z$F5Jx5fExrKuPp53xLKQ..1$y8e1eitiNDaQsFFW6d.9KbSTlk5zV3R3coZQtfcNAO5"},
	{"yescrypt bad param char", "$y$j9!$F5Jx5fExrKuPp53xLKQ..1$y8e1eitiNDaQsFFW6d.9KbSTlk5zV3R3coZQtfcNAO5"},
	{"yescrypt long params", "$y$jD5.../....$F5Jx5fExrKuPp53xLKQ..1$y8e1eitiNDaQsFFW6d.9KbSTlk5zV3R3coZQtfcNAO5"},
	{"yescrypt flavor", "$y$k9T$F5Jx5fExrKuPp53xLKQ..1$y8e1eitiNDaQsFFW6d.9KbSTlk5zV3R3coZQtfcNAO5"},
	{"yescrypt empty salt", "$y$j9T$$y8e1eitiNDaQsFFW6d.9KbSTlk5zV3R3coZQtfcNAO5"},
	{"yescrypt bad salt alphabet", "$y$j9T$F5Jx5fExrKu+p53xLKQ..1$y8e1eitiNDaQsFFW6d.9KbSTlk5zV3R3coZQtfcNAO5"},
	// Valid alphabet, but the salt's final character has bits set that
	// no encoder produces; only the library notices, at check time.
	{"yescrypt non-canonical salt", "$y$j9T$EmptyPwSalt/.$y8e1eitiNDaQsFFW6d.9KbSTlk5zV3R3coZQtfcNAO5"},
	{"yescrypt extra field", "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$y8e1eitiNDaQsFFW6d.9KbSTlk5zV3R3coZQtfcNAO5$"},
}

var phcRE = regexp.MustCompile(`^\$argon2id\$v=19\$m=([0-9]+),t=([0-9]+),p=([0-9]+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$`)

func TestDefaultParams(t *testing.T) {
	want := Params{Time: 2, MemoryKiB: 19456, Threads: 1, SaltLen: 16, KeyLen: 32}
	if got := DefaultParams(); got != want {
		t.Fatalf("DefaultParams() = %+v, want %+v", got, want)
	}
}

func TestHashDefault(t *testing.T) {
	h, err := Hash(pwASCII)
	if err != nil {
		t.Fatal(err)
	}
	m := phcRE.FindStringSubmatch(h)
	if m == nil {
		t.Fatalf("Hash() = %q, not a PHC argon2id string", h)
	}
	if m[1] != "19456" || m[2] != "2" || m[3] != "1" || len(m[4]) != 22 || len(m[5]) != 43 {
		t.Errorf("Hash() = %q, want m=19456,t=2,p=1, 16-byte salt, 32-byte key", h)
	}
	if ok, err := Verify(h, pwASCII); !ok || err != nil {
		t.Errorf("Verify(Hash(pw), pw) = %v, %v; want true, nil", ok, err)
	}
	if ok, err := Verify(h, pwASCII+"!"); ok || err != nil {
		t.Errorf("Verify(Hash(pw), wrong) = %v, %v; want false, nil", ok, err)
	}
	if NeedsUpgrade(h) {
		t.Errorf("NeedsUpgrade(Hash(pw)) = true, want false")
	}
	if s := Scheme(h); s != "argon2id" {
		t.Errorf("Scheme(Hash(pw)) = %q", s)
	}
	h2, err := Hash(pwASCII)
	if err != nil {
		t.Fatal(err)
	}
	if h == h2 {
		t.Errorf("two hashes of the same password are equal; salt not random")
	}
}

func TestHashWithRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		pw    string
		wrong string
		p     Params
	}{
		{"ascii", pwASCII, "correct horse battery stapl", cheap},
		{"utf8", pwUTF8, "passwörd-ü", cheap},
		{"empty", "", " ", cheap},
		{"nul byte", "a\x00b", "a", cheap},
		{"max length", strings.Repeat("p", maxPasswordLen), strings.Repeat("p", maxPasswordLen-1) + "q", cheap},
		{"bounds min", pwASCII, pwUTF8, Params{Time: 1, MemoryKiB: 8, Threads: 1, SaltLen: 8, KeyLen: 4}},
		{"parallel", pwASCII, pwUTF8, Params{Time: 2, MemoryKiB: 256, Threads: 4, SaltLen: 32, KeyLen: 64}},
		{"long key and salt", pwASCII, pwUTF8, Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: maxSaltLen, KeyLen: maxKeyLen}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := HashWith(tt.pw, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if !phcRE.MatchString(h) {
				t.Fatalf("HashWith = %q, not a PHC argon2id string", h)
			}
			if ok, err := Verify(h, tt.pw); !ok || err != nil {
				t.Errorf("Verify(right) = %v, %v; want true, nil", ok, err)
			}
			if ok, err := Verify(h, tt.wrong); ok || err != nil {
				t.Errorf("Verify(wrong) = %v, %v; want false, nil", ok, err)
			}
			if !NeedsUpgrade(h) {
				t.Errorf("NeedsUpgrade(weaker than default) = false, want true")
			}
		})
	}
}

func TestHashWithInvalid(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		p    Params
	}{
		{"zero params", pwASCII, Params{}},
		{"time 0", pwASCII, Params{Time: 0, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32}},
		{"time 21", pwASCII, Params{Time: 21, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32}},
		{"threads 0", pwASCII, Params{Time: 1, MemoryKiB: 64, Threads: 0, SaltLen: 16, KeyLen: 32}},
		{"threads 65", pwASCII, Params{Time: 1, MemoryKiB: 1024, Threads: 65, SaltLen: 16, KeyLen: 32}},
		{"memory below 8p", pwASCII, Params{Time: 1, MemoryKiB: 31, Threads: 4, SaltLen: 16, KeyLen: 32}},
		{"memory above 1GiB", pwASCII, Params{Time: 1, MemoryKiB: 1<<20 + 1, Threads: 1, SaltLen: 16, KeyLen: 32}},
		{"salt 7", pwASCII, Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 7, KeyLen: 32}},
		{"salt 257", pwASCII, Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 257, KeyLen: 32}},
		{"key 3", pwASCII, Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 3}},
		{"key 129", pwASCII, Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 129}},
		{"password too long", strings.Repeat("p", maxPasswordLen+1), cheap},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if h, err := HashWith(tt.pw, tt.p); err == nil {
				t.Errorf("HashWith = %q, nil; want error", h)
			}
		})
	}
	if _, err := Hash(strings.Repeat("p", maxPasswordLen+1)); err == nil {
		t.Errorf("Hash(too long) succeeded")
	}
}

func TestVerifyVectors(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.scheme+"/"+v.encoded[:min(len(v.encoded), 24)], func(t *testing.T) {
			if got := Scheme(v.encoded); got != v.scheme {
				t.Errorf("Scheme = %q, want %q", got, v.scheme)
			}
			if ok, err := Verify(v.encoded, v.pw); !ok || err != nil {
				t.Errorf("Verify(right) = %v, %v; want true, nil", ok, err)
			}
			for _, wrong := range []string{v.pw + "x", strings.ToUpper(v.pw) + "!", "", "a"} {
				if wrong == v.pw || (v.scheme == "bcrypt" && len(v.pw) >= 72 && strings.HasPrefix(wrong, v.pw[:72])) {
					continue
				}
				if ok, err := Verify(v.encoded, wrong); ok || err != nil {
					t.Errorf("Verify(wrong %q) = %v, %v; want false, nil", wrong, ok, err)
				}
			}
			// A flipped character in the stored hash must not match either.
			last := v.encoded[len(v.encoded)-2]
			flip := byte('A')
			if last == 'A' {
				flip = 'B'
			}
			tampered := v.encoded[:len(v.encoded)-2] + string(flip) + v.encoded[len(v.encoded)-1:]
			if ok, err := Verify(tampered, v.pw); ok || err != nil {
				t.Errorf("Verify(tampered) = %v, %v; want false, nil", ok, err)
			}
		})
	}
}

func TestVerifyBcryptGenerated(t *testing.T) {
	for _, pw := range []string{pwASCII, pwUTF8, ""} {
		b, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		h := string(b)
		if ok, err := Verify(h, pw); !ok || err != nil {
			t.Errorf("Verify(%q, %q) = %v, %v; want true, nil", h, pw, ok, err)
		}
		if ok, err := Verify(h, pw+"x"); ok || err != nil {
			t.Errorf("Verify(%q, wrong) = %v, %v; want false, nil", h, ok, err)
		}
		// $2y$ and $2b$ are the same algorithm as x/crypto's $2a$.
		for _, minor := range []string{"$2b$", "$2y$"} {
			alt := minor + h[4:]
			if ok, err := Verify(alt, pw); !ok || err != nil {
				t.Errorf("Verify(%q, %q) = %v, %v; want true, nil", alt, pw, ok, err)
			}
		}
	}
}

func TestVerifyMalformed(t *testing.T) {
	for _, tt := range malformed {
		t.Run(tt.name, func(t *testing.T) {
			for _, pw := range []string{pwASCII, ""} {
				ok, err := Verify(tt.encoded, pw)
				if ok || !errors.Is(err, ErrUnsupported) {
					t.Errorf("Verify = %v, %v; want false, ErrUnsupported", ok, err)
				}
			}
			if !NeedsUpgrade(tt.encoded) {
				t.Errorf("NeedsUpgrade = false, want true")
			}
		})
	}
}

func TestVerifyErrorDoesNotLeakHash(t *testing.T) {
	enc := "$argon2id$v=19$m=99999999,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0"
	_, err := Verify(enc, pwASCII)
	if err == nil {
		t.Fatal("want error")
	}
	if strings.Contains(err.Error(), "gy5SuVm5") || strings.Contains(err.Error(), pwASCII) {
		t.Errorf("error %q contains hash or password material", err)
	}
}

func TestVerifyLongPassword(t *testing.T) {
	long := strings.Repeat("p", maxPasswordLen+1)
	for _, v := range vectors {
		if ok, err := Verify(v.encoded, long); ok || err != nil {
			t.Errorf("Verify(%q, 4097 bytes) = %v, %v; want false, nil", v.encoded, ok, err)
		}
	}
	// Malformed encodings are still reported as such.
	if _, err := Verify("$6$rounds=999999999$x$y", long); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Verify(malformed, long) err = %v, want ErrUnsupported", err)
	}
}

func TestNeedsUpgrade(t *testing.T) {
	def, err := Hash(pwASCII)
	if err != nil {
		t.Fatal(err)
	}
	stronger, err := HashWith(pwASCII, Params{Time: 3, MemoryKiB: 19456 * 2, Threads: 2, SaltLen: 32, KeyLen: 64})
	if err != nil {
		t.Fatal(err)
	}
	weaker := func(p Params) string {
		t.Helper()
		h, err := HashWith(pwASCII, p)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	d := DefaultParams()
	lowTime := d
	lowTime.Time = 1
	lowMem := d
	lowMem.MemoryKiB = 19455
	shortSalt := d
	shortSalt.SaltLen = 8
	shortKey := d
	shortKey.KeyLen = 16

	tests := []struct {
		name    string
		encoded string
		want    bool
	}{
		{"default", def, false},
		{"stronger", stronger, false},
		{"libargon2 default", vectors[0].encoded, false},
		{"libargon2 stronger cost, 10-byte salt", vectors[1].encoded, true},
		{"libargon2 weaker", vectors[2].encoded, true},
		{"time 1", weaker(lowTime), true},
		{"memory 19455", weaker(lowMem), true},
		{"salt 8", weaker(shortSalt), true},
		{"key 16", weaker(shortKey), true},
		{"bcrypt", "$2y$05$Ab3dEfGh1jKlMnOpQrStUupg3IX.V.SKy9SjO88pIqTo19qaTGavi", true},
		{"md5-crypt", "$1$Zf3nQ8aB$Dm5tvd9dU2yvsWHNEXoTc1", true},
		{"sha256-crypt", "$5$Gk4bYqUe0NwR1pLs$7nRn0pJNgyIn0goxtk/tsLlcZUPJH3WwKIVcYEXzrO3", true},
		{"sha512-crypt", "$6$rounds=20000$Qw8/Er.Ty$SgK5rMLW3JDby.WomMBhzcRLbaUybvLIOafa1i5WaPKjq2ABaqreVTQpdkr4NoLec4Yn48Ij1IXNMjAaLSbgj/", true},
		{"yescrypt", "$y$j9T$AAt9R641xPvCI9nXw1HHW/$cuQRBMN3N/f8IcmVN.4YrZ1bHMOiLOoz9/XQMKV/v0A", true},
		{"empty", "", true},
		{"garbage", "not a hash", true},
		{"argon2id hostile", "$argon2id$v=19$m=4294967295,t=99,p=255$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0", true},
		{"argon2id truncated", def[:len(def)-10], true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NeedsUpgrade(tt.encoded); got != tt.want {
				t.Errorf("NeedsUpgrade(%q) = %v, want %v", tt.encoded, got, tt.want)
			}
		})
	}
}

func TestScheme(t *testing.T) {
	tests := []struct{ encoded, want string }{
		{"$argon2id$v=19$m=19456,t=2,p=1$x$y", "argon2id"},
		{"$argon2i$v=19$m=19456,t=2,p=1$x$y", ""},
		{"$argon2d$v=19$m=19456,t=2,p=1$x$y", ""},
		{"$2a$10$x", "bcrypt"},
		{"$2b$10$x", "bcrypt"},
		{"$2y$10$x", "bcrypt"},
		{"$2x$10$x", ""},
		{"$2$10$x", ""},
		{"$1$salt$hash", "md5-crypt"},
		{"$apr1$salt$hash", ""},
		{"$5$salt$hash", "sha256-crypt"},
		{"$6$rounds=5000$salt$hash", "sha512-crypt"},
		{"$y$j9T$salt$hash", "yescrypt"},
		{"$7$scrypt", ""},
		{"$gy$j9T$salt$hash", ""},
		{"abJnggxhB/yWI", ""},
		{"", ""},
		{"$", ""},
		{"$6", ""},
	}
	for _, tt := range tests {
		if got := Scheme(tt.encoded); got != tt.want {
			t.Errorf("Scheme(%q) = %q, want %q", tt.encoded, got, tt.want)
		}
	}
}

// cheapToVerify reports whether encoded is fast enough to verify inside the
// fuzzer; hostile-but-in-bounds costs (1 GiB argon2id, bcrypt 16) are valid
// yet would make fuzzing crawl or exhaust memory across workers.
func cheapToVerify(encoded string) bool {
	switch Scheme(encoded) {
	case "argon2id":
		h, err := parseArgon2id(encoded)
		return err != nil || uint64(h.memory)*uint64(h.time) <= 1<<16
	case "bcrypt":
		return len(encoded) < 6 || encoded[4:6] <= "08"
	case "sha256-crypt", "sha512-crypt":
		r, ok := strings.CutPrefix(encoded[3:], "rounds=")
		if !ok {
			return true
		}
		digits, _, _ := strings.Cut(r, "$")
		return len(digits) <= 5
	case "yescrypt":
		return len(encoded) < 6 || encoded[4] <= '9'
	}
	return true
}

func FuzzVerify(f *testing.F) {
	for _, v := range vectors {
		f.Add(v.encoded, v.pw)
	}
	for _, m := range malformed {
		if len(m.encoded) <= maxEncodedLen {
			f.Add(m.encoded, pwASCII)
		}
	}
	f.Fuzz(func(t *testing.T, encoded, pw string) {
		_, parseErr := parse(encoded)
		if parseErr != nil && !errors.Is(parseErr, ErrUnsupported) {
			t.Fatalf("parse(%q) error %v does not wrap ErrUnsupported", encoded, parseErr)
		}
		if parseErr == nil && Scheme(encoded) == "" {
			t.Fatalf("parse(%q) accepted an unknown scheme", encoded)
		}
		_ = NeedsUpgrade(encoded)
		if !cheapToVerify(encoded) {
			return
		}
		ok, err := Verify(encoded, pw)
		if err != nil && (ok || !errors.Is(err, ErrUnsupported)) {
			t.Fatalf("Verify(%q, %q) = %v, %v", encoded, pw, ok, err)
		}
		if ok && Scheme(encoded) == "" {
			t.Fatalf("Verify(%q) matched an unknown scheme", encoded)
		}
	})
}

func BenchmarkHash(b *testing.B) {
	for b.Loop() {
		if _, err := Hash(pwASCII); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	seen := map[string]bool{}
	for _, v := range vectors {
		if seen[v.scheme] {
			continue
		}
		seen[v.scheme] = true
		b.Run(v.scheme, func(b *testing.B) {
			for b.Loop() {
				if ok, err := Verify(v.encoded, v.pw); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
		})
	}
}

// TestCheck: Check accepts exactly the encodings Verify computes for and
// refuses the ones Verify refuses, without hashing.
func TestCheck(t *testing.T) {
	for _, v := range vectors {
		if err := Check(v.encoded); err != nil {
			t.Errorf("Check(%q) = %v, want nil", v.encoded, err)
		}
	}
	for _, tt := range malformed {
		if err := Check(tt.encoded); !errors.Is(err, ErrUnsupported) {
			t.Errorf("Check(%s) = %v, want ErrUnsupported", tt.name, err)
		}
	}
	if err := (Hasher{}).CheckEncoding("plain"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("CheckEncoding(plain) = %v, want ErrUnsupported", err)
	}
}

package ftpd

import (
	"context"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
)

// Reply texts. ftpserverlib builds its error replies from Go errors
// ("550 Issue during transfer: network error: error transferring data:
// readfrom tcp 127.0.0.1:30001->…: sendfile: broken pipe"). Clients must
// see fixed sentences only, so every error reply (code 4xx and 5xx) the
// library writes is rewritten here, on its way out through the control
// connection (ctlConn.Write), and the original goes to the server log.
// This depends on the library's wording only for the better sentences;
// an error text not recognized gets its code's generic sentence.

// errorSentences are the client-safe texts of the file errors (errors.go)
// as they appear at the end of the library's replies, and the sentence
// sent instead. Matched on the lower-cased end of the text, longest
// first.
var errorSentences = []struct{ tail, sentence string }{
	{"storage limit exceeded", "Quota exceeded."},
	{"quota exceeded", "Quota exceeded."},
	{"no such file or directory", "No such file or directory."},
	{"permission denied", "Permission denied."},
	{"file exists", "File exists."},
	{"directory not empty", "Directory not empty."},
	{"not a directory", "Not a directory."},
	{"is a directory", "Is a directory."},
	{"not a regular file", "Not a regular file."},
	{"file name too long", "File name too long."},
	{"invalid file name", "Invalid file name."},
	{"operation not supported", "Operation not supported."},
	{"operation failed", "Operation failed."},
	{"file already closed", "Operation failed."},
}

// genericSentences are the texts of error codes whose library text is
// not recognized.
var genericSentences = map[int]string{
	421: "Service not available, closing the connection.",
	425: "Cannot open the data connection.",
	426: "Connection closed; transfer aborted.",
	450: "File unavailable.",
	451: "Local error, action aborted.",
	452: "Insufficient storage space.",
	500: "Command not understood.",
	501: "Syntax error in parameters.",
	502: "Command not implemented.",
	503: "Bad sequence of commands.",
	504: "Command not implemented for that parameter.",
	530: "Not logged in.",
	550: "Requested action not taken.",
	552: "Quota exceeded.",
	553: "File name not allowed.",
}

// plainSentence is an error text that may go out as is: a sentence of
// words (ours, e.g. "Login incorrect.", or the library's fixed ones), no
// path, address, number or error chain.
var plainSentence = regexp.MustCompile(`^[A-Z][A-Za-z ,;'()-]*[.!]?$`)

// networkTails are the ends of transfer errors that mean the client
// closed or reset the data connection.
var networkTails = []string{"broken pipe", "connection reset by peer", "use of closed network connection",
	"i/o timeout", "unexpected eof", "connection timed out"}

// rewriteReply returns the line the client gets for a reply line of the
// library.
func (s *Server) rewriteReply(c *ctlConn, line string) string {
	if len(line) < 4 || (line[3] != ' ' && line[3] != '-') {
		return line // a line inside a multi-line reply
	}
	code, err := strconv.Atoi(line[:3])
	if err != nil || code < 100 || code > 599 {
		return line
	}
	text := line[4:]
	switch {
	case code == 150 || code == 125:
		c.dataBroken.Store(false) // a new transfer
		return line
	case code == 257 && strings.HasPrefix(text, `Created dir "`) && strings.HasSuffix(text, `"`):
		// RFC 959: the quoted path first.
		return `257 "` + text[len(`Created dir "`):len(text)-1] + `" created`
	case code < 400:
		return line
	}
	newCode, sentence := s.errorReply(c, code, text)
	if newCode == code && sentence == text {
		return line
	}
	sid := ""
	if c.sess != nil {
		sid = c.sess.id
	}
	// Mapped file errors are routine (debug); the rest keeps its detail
	// in the log at info.
	level := slog.LevelDebug
	if newCode == 426 || newCode == 451 || sentence == genericSentences[newCode] {
		level = slog.LevelInfo
	}
	s.log.Log(context.Background(), level, "reply", "session", sid, "sent", strconv.Itoa(newCode)+" "+sentence, "detail", text)
	return strconv.Itoa(newCode) + line[3:4] + sentence
}

// errorReply maps an error reply of the library to a code and a fixed
// sentence.
func (s *Server) errorReply(c *ctlConn, code int, text string) (int, string) {
	lower := strings.ToLower(text)
	switch {
	case code == 552:
		return 552, "Quota exceeded."
	case code == 421 && strings.HasPrefix(text, "Could not listen for passive connection"):
		// Not closing: the session goes on.
		if strings.Contains(text, errNoDataPort.Error()) {
			return 425, errNoDataPort.Error()
		}
		if strings.Contains(lower, "epsv") {
			return 425, "PASV works over IPv4 only; use EPSV."
		}
		return 425, genericSentences[425]
	case code == 421 && strings.HasPrefix(text, "Cannot get a TLS config"):
		return 425, genericSentences[425]
	case code == 421 && strings.Contains(lower, "tls is required"):
		return 521, "Data connections must use TLS: send PROT P first."
	case code == 421 && strings.HasPrefix(text, "command timeout"):
		return 421, "Idle timeout, closing the connection."
	case code == 550 && strings.HasPrefix(text, "Issue during transfer"):
		return s.transferError(c, lower)
	case code == 530 && strings.HasPrefix(text, "User rejected: "):
		if t := strings.TrimPrefix(text, "User rejected: "); plainSentence.MatchString(t) {
			return 530, t
		}
	}
	if plainSentence.MatchString(text) && !strings.HasPrefix(text, "Unknown command") {
		return code, text
	}
	for _, e := range errorSentences {
		if strings.HasSuffix(lower, e.tail) {
			if e.sentence == "Quota exceeded." {
				return 552, e.sentence
			}
			return code, e.sentence
		}
	}
	if g, ok := genericSentences[code]; ok {
		return code, g
	}
	return code, "Requested action not taken."
}

// transferError maps a failed transfer: 426 when the data connection
// broke (the client closed it), else the file error's sentence, else 451.
func (s *Server) transferError(c *ctlConn, lower string) (int, string) {
	broken := c.dataBroken.Swap(false)
	for _, t := range networkTails {
		if strings.HasSuffix(lower, t) {
			broken = true
		}
	}
	if broken {
		return 426, genericSentences[426]
	}
	for _, e := range errorSentences {
		if strings.HasSuffix(lower, e.tail) {
			if e.sentence == "Quota exceeded." {
				return 552, e.sentence
			}
			return 451, e.sentence
		}
	}
	return 451, "Transfer failed."
}

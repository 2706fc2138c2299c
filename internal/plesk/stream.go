package plesk

import (
	"encoding/xml"
	"fmt"
	"io"
)

// answerWriter writes an answer packet as it is made, so that the server
// never holds a whole answer: each <result> is encoded and flushed to the
// client as soon as its operation produced it. It keeps the byte count for
// the answer's cap (maxAnswerBytes) and the first write error (the client
// went away), after which nothing more is written or run.
type answerWriter struct {
	cw    countingWriter
	e     *xml.Encoder
	limit int64
	err   error
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// newAnswerWriter starts an answer on w: the XML declaration and
// <packet version="...">.
func newAnswerWriter(w io.Writer, version string, indent bool, limit int64) *answerWriter {
	a := &answerWriter{cw: countingWriter{w: w}, limit: limit}
	a.e = xml.NewEncoder(&a.cw)
	if indent {
		a.e.Indent("", "  ")
	}
	if _, err := io.WriteString(&a.cw, xml.Header); err != nil {
		a.err = err
	}
	a.token(xml.StartElement{Name: xml.Name{Local: "packet"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "version"}, Value: version}}})
	return a
}

func (a *answerWriter) token(t xml.Token) {
	if a.err == nil {
		a.err = a.e.EncodeToken(t)
	}
}

// start opens an element (an operator or an operation).
func (a *answerWriter) start(name string) { a.token(xml.StartElement{Name: xml.Name{Local: name}}) }

// end closes it.
func (a *answerWriter) end(name string) { a.token(xml.EndElement{Name: xml.Name{Local: name}}) }

// result writes one <result> and sends it on.
func (a *answerWriter) result(v any) {
	if a.err == nil {
		a.err = a.e.Encode(v)
	}
	if a.err == nil {
		a.err = a.e.Flush()
	}
}

// failed reports whether writing failed: the client is gone.
func (a *answerWriter) failed() bool { return a.err != nil }

// stopped reports whether nothing more should run: the answer reached its
// cap or the client is gone.
func (a *answerWriter) stopped() bool { return a.err != nil || a.cw.n >= a.limit }

// limitText says why an operation was not run or its results were cut.
func (a *answerWriter) limitText(what string) string {
	size := fmt.Sprintf("%d bytes", a.limit)
	if a.limit%(1<<20) == 0 {
		size = fmt.Sprintf("%d MiB", a.limit>>20)
	}
	return what + ": the answer reached its limit of " + size + "; send fewer operations per packet or narrower filters"
}

// notRun answers an operation that was not run because the answer is full.
func (a *answerWriter) notRun(op string) {
	a.start(op)
	a.result(&errorResult{Status: statusError, ErrCode: errLimit, ErrText: a.limitText("not run")})
	a.end(op)
}

// truncate ends a get's results with one error result saying the rest
// was left out.
func (a *answerWriter) truncate() {
	a.result(&errorResult{Status: statusError, ErrCode: errLimit, ErrText: a.limitText("further results left out")})
}

// close ends the packet.
func (a *answerWriter) close() error {
	a.end("packet")
	if a.err == nil {
		a.err = a.e.Close()
	}
	if a.err == nil {
		_, a.err = io.WriteString(&a.cw, "\n")
	}
	return a.err
}

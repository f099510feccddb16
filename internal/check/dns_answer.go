package check

import (
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// answer is the value of one answer record, as expect_answers compares it.
type answer struct {
	value string // address, target name, joined TXT, or the record's data
	rdata string // the record's data as a zone file writes it
	name  bool   // value is a domain name: case and final dot do not count
}

// answerValues reads the values of answer records: the address of A and
// AAAA, the target of CNAME, NS, MX, PTR and SRV, the joined strings of TXT,
// the data of others.
func answerValues(rrs []dns.RR) []answer {
	out := make([]answer, 0, len(rrs))
	for _, rr := range rrs {
		a := answer{rdata: strings.TrimPrefix(rr.String(), rr.Header().String())}
		a.value = a.rdata
		switch rr := rr.(type) {
		case *dns.A:
			a.value = rr.A.String()
		case *dns.AAAA:
			a.value = rr.AAAA.String()
		case *dns.CNAME:
			a.value, a.name = rr.Target, true
		case *dns.NS:
			a.value, a.name = rr.Ns, true
		case *dns.MX:
			a.value, a.name = rr.Mx, true
		case *dns.PTR:
			a.value, a.name = rr.Ptr, true
		case *dns.SRV:
			a.value, a.name = rr.Target, true
		case *dns.TXT:
			a.value = strings.Join(rr.Txt, "")
		}
		out = append(out, a)
	}
	return out
}

// hasAnswer tells whether one of the answers is want: the same address
// however written, the same name with or without its final dot, the same
// text, or the record's whole data.
func hasAnswer(answers []answer, want string) bool {
	wantIP, err := netip.ParseAddr(want)
	wantIsIP := err == nil
	for _, a := range answers {
		switch {
		case a.value == want, a.rdata == want:
			return true
		case wantIsIP:
			if ip, err := netip.ParseAddr(a.value); err == nil && ip == wantIP {
				return true
			}
		case a.name && strings.EqualFold(dns.Fqdn(a.value), dns.Fqdn(want)):
			return true
		}
	}
	return false
}

// listAnswers writes answer values for a message.
func listAnswers(answers []answer) string {
	if len(answers) == 0 {
		return "none"
	}
	values := make([]string, len(answers))
	for i, a := range answers {
		values[i] = a.value
	}
	return "[" + strings.Join(values, ", ") + "]"
}

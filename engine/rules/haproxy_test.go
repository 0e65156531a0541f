package rules

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// msgCase is a configuration line of a frontend, the error hitless gives
// and the one HAProxy 2.6.12 prints after "parsing [file:line] : " ("" when
// HAProxy accepts the line). When why is empty the two must be equal.
type msgCase struct {
	line, ours, haproxy, why string
}

const (
	pfxACL  = "error detected while parsing ACL 'a' : "
	pfxRule = "error detected in frontend 'f' while parsing "
)

var msgCases = []msgCase{
	// ACLs
	{line: "acl a foo /x", ours: pfxACL + "unknown fetch method 'foo' in ACL expression 'foo'."},
	{line: "acl a", ours: pfxACL + "missing fetch method in ACL expression ''."},
	{line: "acl a,b path /x", ours: "character ',' is not permitted in acl name 'a,b'."},
	{line: "acl a/b path /x", ours: "character '/' is not permitted in acl name 'a/b'."},
	{line: "acl a path_len abc", ours: pfxACL + "'abc' is not a number."},
	{line: "acl a src_port 99999999999999999999", ours: pfxACL + "'99999999999999999999' is not a number."},
	{line: "acl a src 1.2.3.4.5", ours: pfxACL + "'1.2.3.4.5' is not a valid IPv4 or IPv6 address."},
	{line: "acl a src 10.0.0.0/33", ours: pfxACL + "'10.0.0.0/33' is not a valid IPv4 or IPv6 address."},
	{line: "acl a src ::1/129", ours: pfxACL + "'::1/129' is not a valid IPv4 or IPv6 address."},
	{line: "acl a src 1.2.3.4/", ours: pfxACL + "'1.2.3.4/' is not a valid IPv4 or IPv6 address."},
	{line: "acl a src [::1]", ours: pfxACL + "'[::1]' is not a valid IPv4 or IPv6 address."},
	{line: "acl a dst_port 1:b", ours: pfxACL + "'1:b' is not a valid number range."},
	{line: "acl a dst_port 5:3", ours: pfxACL + "'5:3' is not a valid number range."},
	{line: "acl a dst_port gt x", ours: pfxACL + "'x' is neither a number nor a supported operator."},
	{line: "acl a path -m foo /x", ours: pfxACL + "unknown matching method 'foo' when parsing ACL expression."},
	{line: "acl a path -m", ours: pfxACL + "unknown matching method '' when parsing ACL expression."},
	{line: "acl a path -x /", ours: pfxACL + "'-x' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'."},
	{line: "acl a path_len -1", ours: pfxACL + "'-1' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'."},
	{line: "acl a path -f /nonexistent/pats", ours: pfxACL + "failed to open pattern file </nonexistent/pats>."},
	{line: "acl a path -f /dev/null -m beg /x", ours: pfxACL + "'-m' must only be specified before patterns and files in parsing ACL expression."},
	{line: "acl a var(txn.x) foo", ours: pfxACL + "matching method must be specified first (using '-m') when using a sample fetch of this type ('var')."},
	{line: "acl a var(x) -m str foo", ours: pfxACL + "invalid args in fetch method 'var' : invalid variable name 'x'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check' in ACL expression 'var(x)'."},
	{line: "acl a var() -m str foo", ours: pfxACL + "invalid args in fetch method 'var' : Empty variable name cannot be accepted in ACL expression 'var()'."},
	{line: "acl a var(txn.x-y) -m str foo", ours: pfxACL + "invalid args in fetch method 'var' : invalid syntax at char '-y' in ACL expression 'var(txn.x-y)'."},
	{line: "acl a method -m ip 1.2.3.4", ours: pfxACL + "matching method 'ip' cannot be used with fetch keyword 'method'."},
	{line: "acl a method -m int 1", ours: pfxACL + "matching method 'int' cannot be used with fetch keyword 'method'."},
	{line: "acl a always_true -m ip 1.2.3.4", ours: pfxACL + "matching method 'ip' cannot be used with fetch keyword 'always_true'."},
	{line: "acl a hdr(host,foo) x", ours: pfxACL + "ACL keyword 'hdr' : failed to parse 'foo' as type 'integer' at position 2."},
	{line: "acl a hdr(host,-11) x", ours: pfxACL + "in argument to 'hdr', header occurrence must be >= -10."},
	{line: "acl a hdr(host,1,2) x", ours: pfxACL + "ACL keyword 'hdr' : expected ')' before ',2)'."},
	{line: "acl a hdr(host x", ours: pfxACL + "ACL keyword 'hdr' : expected ')'."},
	{line: "acl a path(x) /", ours: pfxACL + "ACL keyword 'path' : expected ')' before 'x)'."},
	{line: "acl a path,foo /", ours: pfxACL + "ACL keyword 'path' : unknown converter 'foo'.."},
	{line: "acl a path,lower(1) /", ours: pfxACL + "ACL keyword 'path' : invalid arg 1 in converter 'lower' : expected ')' before '1)'.."},
	{line: "acl a path,lower( /", ours: pfxACL + "ACL keyword 'path' : invalid arg 1 in converter 'lower' : expected ')'.."},
	{line: "acl a req.hdr(host),foo x", ours: pfxACL + "unknown converter 'foo' in ACL expression 'req.hdr(host),foo'."},
	{line: "acl a req.hdr(x),lower(1) x", ours: pfxACL + "invalid arg 1 in converter 'lower' : expected ')' before '1)' in ACL expression 'req.hdr(x),lower(1)'."},
	{line: "acl a req.hdr(host,foo) x", ours: pfxACL + "fetch method 'req.hdr' : failed to parse 'foo' as type 'integer' at position 2 in ACL expression 'req.hdr(host,foo)'."},
	{line: "acl a req.hdr(host x", ours: pfxACL + "fetch method 'req.hdr' : expected ')' in ACL expression 'req.hdr(host'."},
	{line: "acl a req.hdr(host)x x", ours: pfxACL + "missing comma after fetch keyword 'req.hdr' in ACL expression 'req.hdr(host)x'."},
	{line: "acl a src(x) 1.2.3.4", ours: pfxACL + "fetch method 'src' : expected ')' before 'x)' in ACL expression 'src(x)'."},
	{line: "acl a str(a,b) x", ours: pfxACL + "fetch method 'str' : expected ')' before ',b)' in ACL expression 'str(a,b)'."},
	{line: "acl a int(abc) 1", ours: pfxACL + "fetch method 'int' : failed to parse 'abc' as type 'integer' at position 1 in ACL expression 'int(abc)'."},
	{line: "acl a int() 1", ours: pfxACL + "fetch method 'int' : expected type 'integer' at position 1, but got nothing in ACL expression 'int()'."},
	{line: "acl a int 1", ours: pfxACL + "fetch method 'int' : expected type 'integer' at position 1, but got nothing in ACL expression 'int'."},
	{line: "acl a HDR(host) x", ours: pfxACL + "unknown fetch method 'HDR' in ACL expression 'HDR(host)'."},
	{line: "acl a path -m bin 4", ours: pfxACL + "an even number of hex digit is expected."},
	{line: "acl a path -m bin zz", ours: pfxACL + "an hex digit is expected (found 'z')."},
	{line: "acl a path_reg (", ours: pfxACL + "regex '(' is invalid (error=missing closing ): `(`).",
		haproxy: pfxACL + "regex '(' is invalid (error=missing closing parenthesis, erroffset=1).", why: "Go's regexp error text"},
	{line: "acl a path_reg ^(?=x)", ours: pfxACL + "regex '^(?=x)' is invalid (error=invalid or unsupported Perl syntax: `(?=`; back-references and look-around are PCRE-only syntax, hitless uses RE2).",
		why: "PCRE-only syntax is refused"},
	{line: "acl a src localhost", ours: pfxACL + "'localhost' is not a valid IPv4 or IPv6 address.", why: "host names are never resolved"},
	{line: "acl a src 10/8", ours: pfxACL + "'10/8' is not a valid IPv4 or IPv6 address.", why: "shortened IPv4 forms are refused"},
	{line: "acl a cook(x) y", ours: pfxACL + "fetch method 'cook' is not implemented yet in ACL expression 'cook(x)'.", why: "not implemented"},
	{line: "acl a var(proc.x) -m found", ours: pfxACL + "invalid args in fetch method 'var' : variables of scope 'proc' are not implemented yet in ACL expression 'var(proc.x)'.", why: "not implemented"},

	// Conditions
	{line: "http-request deny if nosuch", ours: "error detected while parsing an 'http-request deny' condition : no such ACL : 'nosuch'."},
	{line: "http-request deny if is_api nosuch", ours: "error detected while parsing an 'http-request deny' condition : no such ACL : 'nosuch'."},
	{line: "http-request deny if { foo }", ours: "error detected while parsing an 'http-request deny' condition : unknown fetch method 'foo' in ACL expression 'foo'."},
	{line: "http-request deny if { }", ours: "error detected while parsing an 'http-request deny' condition : missing fetch method in ACL expression ''."},
	{line: "http-request deny if { path /x", ours: "error detected while parsing an 'http-request deny' condition : missing closing '}' in condition."},
	{line: "http-request deny if }", ours: "error detected while parsing an 'http-request deny' condition : no such ACL : '}'."},
	{line: "http-response deny if nosuch", ours: "error detected while parsing an 'http-response deny' condition : no such ACL : 'nosuch'."},
	{line: "http-request set-var(txn.x) str(a) if foo", ours: "error detected while parsing an 'http-request set-var(txn.x)' condition : no such ACL : 'foo'."},
	{line: "http-request return status 200 if nosuch", ours: "error detected while parsing an 'http-request return' condition : no such ACL : 'nosuch'."},
	{line: "http-request deny if", ours: "error detected while parsing an 'http-request deny' condition : missing condition after 'if'.", why: "an empty condition is refused"},
	{line: "http-request deny unless !", ours: "error detected while parsing an 'http-request deny' condition : missing condition after 'unless'.", why: "an empty condition is refused"},

	// http-request / http-response actions
	{line: "http-request foo", ours: "'http-request' expects " + httpRequestActions + ", but got 'foo'."},
	{line: "http-response foo", ours: "'http-response' expects " + httpResponseActions + ", but got 'foo'."},
	{line: "http-request set-status 200", ours: "'http-request' expects " + httpRequestActions + ", but got 'set-status'.",
		haproxy: "'http-request' expects " + httpRequestActions + ", but got 'set-status'. Did you mean 'set-dst' maybe ?", why: "no suggestion"},
	{line: "http-response tarpit", ours: "'http-response' expects " + httpResponseActions + ", but got 'tarpit'.",
		haproxy: "'http-response' expects " + httpResponseActions + ", but got 'tarpit'. Did you mean 'set-var' maybe ?", why: "no suggestion"},
	{line: "http-request set-var-fmt(txn.x) %[path]", ours: "'http-request set-var-fmt(txn.x)' is not implemented yet.", why: "not implemented"},
	// Fetches of the other half of the transaction.
	{line: "http-request set-header X %[status]", ours: "error detected in frontend 'f' while parsing 'http-request set-header' rule : sample fetch <status]> may not be reliably used here because it needs 'HTTP response' which is not available here."},
	{line: "http-response set-header X a%[path,lower]b", ours: "error detected in frontend 'f' while parsing 'http-response set-header' rule : sample fetch <path,lower]b> may not be reliably used here because it needs 'HTTP request headers' which is not available here."},
	{line: "http-response set-header X %[req.hdr_cnt(a)]", ours: "error detected in frontend 'f' while parsing 'http-response set-header' rule : sample fetch <req.hdr_cnt(a)]> may not be reliably used here because it needs 'HTTP request headers' which is not available here."},
	{line: "http-request set-header X %[res.hdr(a)]", ours: "error detected in frontend 'f' while parsing 'http-request set-header' rule : sample fetch <res.hdr(a)]> may not be reliably used here because it needs 'HTTP response headers' which is not available here."},
	{line: "http-response return status 200 hdr a %[url_param(a)]", ours: "error detected in frontend 'f' while parsing 'http-response return' rule : sample fetch <url_param(a)]> may not be reliably used here because it needs 'HTTP request headers' which is not available here."},
	{line: "http-request set-var(txn.x) res.hdr(a)", ours: "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : fetch method 'set-var(txn.x)' extracts information from 'HTTP response headers', none of which is available here."},
	{line: "http-response set-var(txn.x) base", ours: "error detected in frontend 'f' while parsing 'http-response set-var(txn.x)' rule : fetch method 'set-var(txn.x)' extracts information from 'HTTP request headers', none of which is available here."},
	{line: "http-response set-header X %[method]-%[hdr(a)]", ours: ""},
	{line: "http-request deny foo", ours: "'http-request deny' expects either 'if' or 'unless' followed by a condition but found 'foo'."},
	{line: "http-request allow foo", ours: "'http-request allow' expects either 'if' or 'unless' followed by a condition but found 'foo'."},
	{line: "http-request set-header", ours: pfxRule + "'http-request set-header' rule : expects exactly 2 arguments."},
	{line: "http-request add-header x", ours: pfxRule + "'http-request add-header' rule : expects exactly 2 arguments."},
	{line: "http-request add-header x y z", ours: "'http-request add-header' expects either 'if' or 'unless' followed by a condition but found 'z'."},
	{line: "http-request set-header x if TRUE", ours: "'http-request set-header' expects either 'if' or 'unless' followed by a condition but found 'TRUE'."},
	{line: "http-request set-header x %[path", ours: pfxRule + "'http-request set-header' rule : missing ']' after 'path'."},
	{line: "http-request set-header X %[foo]", ours: pfxRule + "'http-request set-header' rule : failed to parse sample expression <foo]> : unknown fetch method 'foo'."},
	{line: "http-request set-header X %[req.hdr(host]", ours: pfxRule + "'http-request set-header' rule : failed to parse sample expression <req.hdr(host]> : fetch method 'req.hdr' : expected ')'."},
	{line: "http-request set-header X %[req.hdr(host)", ours: pfxRule + "'http-request set-header' rule : missing ']' after 'req.hdr(host)'."},
	{line: "http-request set-header X %[path,foo]", ours: pfxRule + "'http-request set-header' rule : failed to parse sample expression <path,foo]> : unknown converter 'foo'."},
	{line: "http-request set-header X %[path,lower(1)]", ours: pfxRule + "'http-request set-header' rule : failed to parse sample expression <path,lower(1)]> : invalid arg 1 in converter 'lower' : expected ')' before '1)]'."},
	{line: "http-request set-header X %[path(1)]", ours: pfxRule + "'http-request set-header' rule : failed to parse sample expression <path(1)]> : fetch method 'path' : expected ')' before '1)]'."},
	{line: "http-request set-header X %[path,]", ours: pfxRule + "'http-request set-header' rule : failed to parse sample expression <path,]> : unknown converter ''."},
	{line: "http-request set-header X %[]", ours: pfxRule + "'http-request set-header' rule : failed to parse sample expression <]> : missing fetch method."},
	{line: `http-request set-header X "%[path ]"`, ours: pfxRule + "'http-request set-header' rule : expected ']' after 'path', but found ' '."},
	{line: "http-request set-header X %", ours: pfxRule + "'http-request set-header' rule : truncated line after '%'."},
	{line: "http-request set-header X %foo", ours: pfxRule + "'http-request set-header' rule : no such format variable 'foo'. If you wanted to emit the '%' character verbatim, you need to use '%%'."},
	{line: `http-request set-header X "% x"`, ours: pfxRule + "'http-request set-header' rule : unexpected variable name near ' ' at position 1 line : '% x'. Maybe you want to write a single '%', use the syntax '%%'."},
	{line: "http-request set-header X %ci", ours: pfxRule + "'http-request set-header' rule : format variable '%ci' is not supported in this context yet.", why: "not implemented"},
	{line: "http-request del-header", ours: pfxRule + "'http-request del-header' rule : expects at least 1 argument."},
	{line: "http-request del-header x y", ours: "'http-request del-header' expects either 'if' or 'unless' followed by a condition but found 'y'."},
	{line: "http-request del-header x -m foo", ours: pfxRule + "'http-request del-header' rule : -m with unsupported matching method 'foo'."},
	{line: "http-request del-header x -m", ours: pfxRule + "'http-request del-header' rule : -m flag expects exactly 1 argument."},
	{line: "http-request replace-header x", ours: pfxRule + "'http-request replace-header' rule : expects exactly 3 arguments."},
	{line: "http-request replace-value x a b c", ours: "'http-request replace-value' expects either 'if' or 'unless' followed by a condition but found 'c'."},
	{line: "http-request replace-header x ( y", ours: pfxRule + "'http-request replace-header' rule : regex '(' is invalid (error=missing closing ): `(`).",
		haproxy: pfxRule + "'http-request replace-header' rule : regex '(' is invalid (error=missing closing parenthesis, erroffset=1).", why: "Go's regexp error text"},
	{line: "http-request set-path", ours: pfxRule + "'http-request set-path' rule : expects exactly 1 argument <format>."},
	{line: "http-request set-path a b", ours: pfxRule + "'http-request set-path' rule : expects exactly 1 argument <format>."},
	{line: "http-request set-uri", ours: pfxRule + "'http-request set-uri' rule : expects exactly 1 argument <format>."},
	{line: "http-request set-query", ours: pfxRule + "'http-request set-query' rule : expects exactly 1 argument <format>."},
	{line: "http-request replace-path a", ours: pfxRule + "'http-request replace-path' rule : expects exactly 2 arguments <match-regex> and <replace-format>."},
	{line: "http-request replace-uri a b c", ours: pfxRule + "'http-request replace-uri' rule : expects exactly 2 arguments <match-regex> and <replace-format>."},
	{line: "http-response set-status", ours: pfxRule + "'http-response set-status' rule : expects 1 argument: <status>; or 3 arguments: <status> reason <fmt>."},
	{line: "http-response set-status abc", ours: pfxRule + "'http-response set-status' rule : expects an integer status code between 100 and 999."},
	{line: "http-response set-status 99", ours: pfxRule + "'http-response set-status' rule : expects an integer status code between 100 and 999."},
	{line: "http-response set-status 200 reason", ours: "'http-response set-status' expects either 'if' or 'unless' followed by a condition but found 'reason'."},
	{line: "http-response set-status 200 foo", ours: "'http-response set-status' expects either 'if' or 'unless' followed by a condition but found 'foo'."},
	{line: "http-request set-var(txn.x) foo", ours: pfxRule + "'http-request set-var(txn.x)' rule : unknown fetch method 'foo'."},
	{line: "http-request set-var(txn.x)", ours: pfxRule + "'http-request set-var(txn.x)' rule : missing fetch method."},
	{line: "http-request set-var(txn.x) if", ours: pfxRule + "'http-request set-var(txn.x)' rule : unknown fetch method 'if'."},
	{line: "http-request set-var(txn.x) path,foo", ours: pfxRule + "'http-request set-var(txn.x)' rule : unknown converter 'foo'."},
	{line: "http-request set-var(txn.x) path,lower(1)", ours: pfxRule + "'http-request set-var(txn.x)' rule : invalid arg 1 in converter 'lower' : expected ')' before '1)'."},
	{line: "http-request set-var(x) path", ours: pfxRule + "'http-request set-var(x)' rule : invalid variable name 'x'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'."},
	{line: "http-request set-var(txn.) path", ours: pfxRule + "'http-request set-var(txn.)' rule : invalid variable name 'txn.'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'."},
	{line: "http-request set-var(txn.a$) path", ours: pfxRule + "'http-request set-var(txn.a$)' rule : invalid syntax at char '$)'."},
	{line: "http-request set-var(txn.x str(a)", ours: pfxRule + "'http-request set-var(txn.x' rule : incomplete argument after action 'set-var(txn.x'. Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'."},
	{line: "http-request set-var(txn.x),lower str(a)", ours: pfxRule + "'http-request set-var(txn.x),lower' rule : incomplete argument after action 'set-var(txn.x),lower'. Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'."},
	{line: "http-request set-var str(a)", ours: pfxRule + "'http-request set-var' rule : invalid or incomplete action 'set-var'. Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'."},
	{line: "http-request unset-var", ours: pfxRule + "'http-request unset-var' rule : invalid or incomplete action 'unset-var'. Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'."},
	{line: "http-request unset-var(txn.x) path", ours: "'http-request unset-var(txn.x)' expects either 'if' or 'unless' followed by a condition but found 'path'."},
	{line: "http-request set-var(proc.a) path", ours: pfxRule + "'http-request set-var(proc.a)' rule : variables of scope 'proc' are not implemented yet.", why: "not implemented"},

	// return and deny
	{line: "http-request return string foo", ours: pfxRule + "'http-request return' rule : a content type must be defined when non-empty payload is configured."},
	{line: "http-request return status 99", ours: pfxRule + "'http-request return' rule : Unexpected status code '99'."},
	{line: "http-request return status 600", ours: pfxRule + "'http-request return' rule : Unexpected status code '600'."},
	{line: "http-request return status abc", ours: pfxRule + "'http-request return' rule : Unexpected status code '0'."},
	{line: "http-request return status", ours: pfxRule + "'http-request return' rule : 'status' expects <status_code> as argument."},
	{line: "http-request return status 204 content-type text/plain string x", ours: pfxRule + "'http-request return' rule : No body expected for 204 responses."},
	{line: "http-request return content-type", ours: pfxRule + "'http-request return' rule : 'content-type' expects <ctype> as argument."},
	{line: "http-request return string", ours: pfxRule + "'http-request return' rule : 'string' expects <str> as argument."},
	{line: "http-request return lf-string", ours: pfxRule + "'http-request return' rule : 'lf-string' expects <fmt> as argument."},
	{line: "http-request return file", ours: pfxRule + "'http-request return' rule : 'file' expects <file> as argument."},
	{line: "http-request return file /nonexistent/x", ours: pfxRule + "'http-request return' rule : error opening file '/nonexistent/x'."},
	{line: "http-request return string a string b", ours: pfxRule + "'http-request return' rule : unexpected 'string' argument, 'string' already defined."},
	{line: "http-request return string a file /dev/null", ours: pfxRule + "'http-request return' rule : unexpected 'file' argument, 'string' already defined."},
	{line: "http-request return hdr x", ours: pfxRule + "'http-request return' rule : 'hdr' expects <name> and <value> as arguments."},
	{line: "http-request return lf-string %[path]", ours: pfxRule + "'http-request return' rule : a content type must be defined with a log-format payload."},
	{line: "http-request return status 418 default-errorfiles", ours: pfxRule + "'http-request return' rule : status code '418' not handled by default with 'default-errorfiles' argument.."},
	{line: "http-request return foo", ours: "'http-request return' expects either 'if' or 'unless' followed by a condition but found 'foo'."},
	{line: "http-request deny deny_status 418", ours: pfxRule + "'http-request deny' rule : status code '418' not handled by default with 'default-errorfiles' argument.."},
	{line: "http-request deny deny_status 302", ours: pfxRule + "'http-request deny' rule : status code '302' not handled by default with 'default-errorfiles' argument.."},
	{line: "http-request deny deny_status abc", ours: pfxRule + "'http-request deny' rule : Unexpected status code '0'."},
	{line: "http-request deny deny_status", ours: pfxRule + "'http-request deny' rule : 'status' expects <status_code> as argument."},
	{line: "http-request deny string x", ours: pfxRule + "'http-request deny' rule : a content type must be defined when non-empty payload is configured."},

	// stick counters
	{line: "http-request track-sc0", ours: pfxRule + "'http-request track-sc0' rule : missing fetch method."},
	{line: "http-request track-sc3 src", ours: pfxRule + "'http-request track-sc3' rule : 3 track-sc number exceeding 2 (MAX_SESS_STKCTR-1) value."},
	{line: "http-request track-sc-1 src", ours: pfxRule + "'http-request track-sc-1' rule : Wrong track-sc number '-1'."},
	{line: "http-request track-sc+1 src", ours: pfxRule + "'http-request track-sc+1' rule : Wrong track-sc number '+1'."},
	{line: "http-request track-scx src", ours: pfxRule + "'http-request track-scx' rule : Wrong track-sc number 'x'."},
	{line: "http-request track-sc0 foo", ours: pfxRule + "'http-request track-sc0' rule : unknown fetch method 'foo'."},
	{line: "http-request track-sc1 src table", ours: pfxRule + "'http-request track-sc1' rule : missing table name."},
	{line: "http-request track-sc0 src extra", ours: "'http-request track-sc0' expects either 'if' or 'unless' followed by a condition but found 'extra'."},
	{line: "http-request deny if { sc_http_req_rate gt 5 }", ours: "error detected while parsing an 'http-request deny' condition : fetch method 'sc_http_req_rate' : expected type 'integer' at position 1, but got nothing in ACL expression 'sc_http_req_rate'."},
	{line: "http-request deny if { sc_http_req_rate(x) gt 5 }", ours: "error detected while parsing an 'http-request deny' condition : fetch method 'sc_http_req_rate' : failed to parse 'x' as type 'integer' at position 1 in ACL expression 'sc_http_req_rate(x)'."},
	{line: "http-request deny if { sc9_http_req_rate gt 5 }", ours: "error detected while parsing an 'http-request deny' condition : unknown fetch method 'sc9_http_req_rate' in ACL expression 'sc9_http_req_rate'."},
	{line: "http-request deny if { sc_http_req_rate(3) gt 5 }", ours: ""},
	{line: "http-request deny if { sc_tracked(0) } || { sc1_conn_cur gt 1 } || { sc2_get_gpc0 gt 0 } || { sc_inc_gpc0(0) gt 1 }", ours: ""},
	{line: "http-response track-sc0 src", ours: "'http-response track-sc0' is not implemented yet.", haproxy: "", why: "hitless tracks in http-request rules only"},

	// redirects
	{line: "http-request redirect", ours: pfxRule + "'http-request redirect' rule : redirection type expected ('prefix', 'location', or 'scheme')."},
	{line: "http-request redirect foo", ours: pfxRule + "'http-request redirect' rule : expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was 'foo')."},
	{line: "http-request redirect location", ours: pfxRule + "'http-request redirect' rule : missing argument for 'location'."},
	{line: "http-request redirect location /x code 304", ours: pfxRule + "'http-request redirect' rule : 'code': unsupported HTTP code '304' (must be one of 301, 302, 303, 307 or 308)."},
	{line: "http-request redirect location /x code abc", ours: pfxRule + "'http-request redirect' rule : 'code': unsupported HTTP code 'abc' (must be one of 301, 302, 303, 307 or 308)."},
	{line: "http-request redirect location /x code", ours: pfxRule + "'http-request redirect' rule : missing argument for 'code'."},
	{line: "http-request redirect location %[foo]", ours: pfxRule + "'http-request redirect' rule : failed to parse sample expression <foo]> : unknown fetch method 'foo'."},
	{line: "http-request redirect location /x if nosuch", ours: pfxRule + "'http-request redirect' rule : error in condition: no such ACL : 'nosuch'."},
	{line: "http-response redirect location /x if nosuch", ours: pfxRule + "'http-response redirect' rule : error in condition: no such ACL : 'nosuch'."},
	{line: "http-response redirect prefix /x", ours: pfxRule + "'http-response redirect' rule : response only supports redirect type 'location'."},
	{line: "redirect", ours: pfxRule + "redirect rule : redirection type expected ('prefix', 'location', or 'scheme')."},
	{line: "redirect location", ours: pfxRule + "redirect rule : missing argument for 'location'."},
	{line: "redirect foo /x", ours: pfxRule + "redirect rule : expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was 'foo')."},
	{line: "redirect location /x set-cookie", ours: pfxRule + "redirect rule : missing argument for 'set-cookie'."},
	{line: "redirect location /x if nosuch", ours: pfxRule + "redirect rule : error in condition: no such ACL : 'nosuch'."},
	{line: "redirect location /x unless TRUE extra", ours: pfxRule + "redirect rule : error in condition: no such ACL : 'extra'."},
}

// testSet is the ACL set of the frontend the message cases live in.
func testSet(t *testing.T) *ACLSet {
	set := NewACLSet()
	set.SetProxy("frontend", "f")
	if err := set.ParseACL([]string{"is_api", "path_beg", "/api"}); err != nil {
		t.Fatal(err)
	}
	return set
}

// splitLine cuts a configuration line into words, removing double quotes.
func splitLine(line string) []string {
	var words []string
	var cur strings.Builder
	in, quoted := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '"':
			quoted, in = !quoted, true
		case c == ' ' && !quoted:
			if in {
				words = append(words, cur.String())
				cur.Reset()
			}
			in = false
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// ourMessage parses a frontend line with this package.
func ourMessage(t *testing.T, line string) string {
	w := splitLine(line)
	set := testSet(t)
	var err error
	switch w[0] {
	case "acl":
		err = set.ParseACL(w[1:])
	case "http-request":
		_, err = ParseHTTPRequest(w[1:], set)
	case "http-response":
		_, err = ParseHTTPResponse(w[1:], set)
	case "redirect":
		_, err = ParseRedirect(w[1:], set)
	default:
		t.Fatalf("no parser for %q", line)
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestMessages checks hitless's message for every case.
func TestMessages(t *testing.T) {
	for _, tt := range msgCases {
		t.Run(tt.line, func(t *testing.T) {
			if got := ourMessage(t, tt.line); got != tt.ours {
				t.Errorf("got  %s\nwant %s", got, tt.ours)
			}
			if tt.why == "" && tt.haproxy != "" && tt.haproxy != tt.ours {
				t.Errorf("exact case with a different HAProxy message")
			}
		})
	}
}

var haproxyAlert = regexp.MustCompile(`^\[ALERT\] +\(\d+\) : config : parsing \[t\.cfg:8\] ?: (.*)$`)

// TestMessagesHAProxy runs every case through the installed haproxy -c
// and checks its message: equal to ours for the cases without a why, as
// recorded in the table for the others ("" when HAProxy accepts the line).
// It is skipped when haproxy is missing, unless CI=true.
func TestMessagesHAProxy(t *testing.T) {
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("haproxy not found: %v", err)
		}
		t.Skip("haproxy not installed")
	}
	for _, tt := range msgCases {
		t.Run(tt.line, func(t *testing.T) {
			t.Parallel()
			want := tt.haproxy
			if tt.why == "" {
				want = tt.ours
			}
			if got := haproxyMessage(t, bin, tt.line); got != want {
				t.Errorf("haproxy -c says:\n%s\nexpected:\n%s", got, want)
			}
		})
	}
}

// haproxyMessage runs haproxy -c on a frontend holding line (at line 8)
// and returns its alert about that line, "" if none.
func haproxyMessage(t *testing.T, bin, line string) string {
	t.Helper()
	cfg := strings.Join([]string{
		"defaults",
		"  mode http",
		"  timeout client 1s",
		"  timeout server 1s",
		"  timeout connect 1s",
		"frontend f",
		"  acl is_api path_beg /api",
		"  " + line,
		"  bind 127.0.0.1:18080",
		"  default_backend b",
		"backend b",
		"  server s 127.0.0.1:18081",
		"",
	}, "\n")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "t.cfg"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", "-f", "t.cfg")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	out, _ := cmd.CombinedOutput()
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if m := haproxyAlert.FindStringSubmatch(sc.Text()); m != nil {
			return m[1]
		}
	}
	return ""
}

package logs

// HAProxy 2.6's built-in formats, byte for byte.
const (
	// HTTPLog is "option httplog".
	HTTPLog = "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r"
	// TCPLog is "option tcplog".
	TCPLog = "%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq"
	// CLFHTTPLog is "option httplog clf".
	CLFHTTPLog = `%{+Q}o %{-Q}ci - - [%trg] %r %ST %B "" "" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl`
	// DefaultLog is the line HAProxy logs at accept time for a frontend
	// in mode http with "log" but no log option.
	DefaultLog = "Connect from %ci:%cp to %fi:%fp (%f/HTTP)"
	// DefaultTCPLog is DefaultLog for a frontend in mode tcp.
	DefaultTCPLog = "Connect from %ci:%cp to %fi:%fp (%f/TCP)"
)

// Command demo-backend is a tiny HTTP server that names itself in every
// answer. "make run" starts two of them behind hitless's embedded
// configuration so that a newcomer sees requests alternate between them.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8081", "address to listen on")
	name := flag.String("name", "app1", "name printed in answers")
	flag.Parse()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "hello from %s (%s %s)\n", *name, r.Method, r.URL.Path)
	})
	log.SetOutput(os.Stderr)
	log.Fatal(http.ListenAndServe(*listen, h))
}

// A small Apache Jena client for tests/api/test_real_clients.py: runs each job of a batch file through
// Jena's own HTTP query API (QueryExecutionHTTP) and writes what Jena parsed, as SPARQL JSON (SELECT, ASK)
// or N-Triples (CONSTRUCT, DESCRIBE). One JVM for all jobs.
//   java -cp JENA_CLASSPATH:CLASSES JenaClient ENDPOINT JOBS_FILE OUTPUT_DIR
// Each line of JOBS_FILE: name TAB mode (GET | POST_FORM | POST_DIRECT) TAB Accept header (or -) TAB query file
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.sparql.exec.http.QueryExecutionHTTP;
import org.apache.jena.sparql.exec.http.QueryExecutionHTTPBuilder;
import org.apache.jena.sparql.exec.http.QuerySendMode;

public class JenaClient {
    public static void main(String[] args) throws Exception {
        String endpoint = args[0];
        Path output = Path.of(args[2]);
        for (String line : Files.readAllLines(Path.of(args[1]))) {
            if (line.isBlank()) continue;
            String[] job = line.split("\t");
            try (OutputStream out = new FileOutputStream(output.resolve(job[0] + ".out").toFile())) {
                run(endpoint, job[1], job[2], Files.readString(Path.of(job[3])), out);
            } catch (Exception error) {
                try (PrintStream err = new PrintStream(output.resolve(job[0] + ".err").toFile())) {
                    err.println(error);
                }
            }
        }
    }

    static void run(String endpoint, String mode, String accept, String text, OutputStream out) {
        Query query = QueryFactory.create(text);
        QueryExecutionHTTPBuilder builder = QueryExecutionHTTP.service(endpoint).query(text);
        if (!accept.equals("-")) builder = builder.acceptHeader(accept);
        builder = builder.sendMode(mode.equals("GET") ? QuerySendMode.asGetAlways
                : mode.equals("POST_FORM") ? QuerySendMode.asPostForm : QuerySendMode.asPost);
        try (QueryExecution execution = builder.build()) {
            if (query.isSelectType()) ResultSetFormatter.outputAsJSON(out, execution.execSelect());
            else if (query.isAskType()) ResultSetFormatter.outputAsJSON(out, execution.execAsk());
            else RDFDataMgr.write(out, query.isDescribeType() ? execution.execDescribe()
                    : execution.execConstruct(), Lang.NTRIPLES);
        }
    }
}

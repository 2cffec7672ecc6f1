import Foundation
import TestSupport
import Testing

import Datasets

/// What the entity check lets through: XML's predefined entities and character references resolve as
/// before, and an ampersand-name inside a comment or a CDATA section is text, not a reference.
@Test func predefinedEntitiesCommentsAndCDATAStillRead() throws {
    let folder = try TemporaryFolder()
    let xml = """
        <?xml version="1.0"?>
        <!-- a note: &nbsp; is not used here -->
        <benchmark><entries>
        <entry category="City" eid="Id1" size="1"><modifiedtripleset>
        <mtriple>A &amp; B | motto | &quot;&#233;t&#xE9;&quot;</mtriple>
        </modifiedtripleset><lex comment="good"><![CDATA[Fish &chips;]]> &lt;3</lex></entry>
        </entries></benchmark>
        """
    let url = try folder.write(Array(xml.utf8), to: "w.xml")
    let data = try DatasetTask.webnlg.load(url)
    #expect(data.examples.map(\.source) == [#" | A & B : motto : "été""#])
    #expect(data.examples.first?.references == ["Fish &chips; <3"])
}

package io.autoglm.backend.jni;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Chunk-to-token mapping on a small synthetic vocabulary with the collisions real vocabularies have. */
class PieceIndexTest {
    private static final byte[][] VOCAB = {
        {}, // 0: renders as nothing
        "<s>".getBytes(StandardCharsets.UTF_8), // 1
        "</s>".getBytes(StandardCharsets.UTF_8), // 2
        {0x41}, // 3: byte-fallback token <0x41>
        "A".getBytes(StandardCharsets.UTF_8), // 4: normal token "A"
        {(byte) 0xC3}, // 5: byte token, lead of a 2-byte sequence
        {(byte) 0xA9}, // 6: byte token, continuation
        "é".getBytes(StandardCharsets.UTF_8), // 7: C3 A9
        "hello".getBytes(StandardCharsets.UTF_8), // 8
        " world".getBytes(StandardCharsets.UTF_8), // 9
        {(byte) 0xE2}, // 10: lead of a 3-byte sequence
        {(byte) 0x82, (byte) 0xAC}, // 11: rest of the euro sign
    };

    private final PieceIndex idx = new PieceIndex(VOCAB.length, id -> VOCAB[id]);

    private List<int[]> seg(String chunk) {
        return idx.segmentations(new byte[0], chunk);
    }

    @Test
    void uniquePiece_mapsToOneToken() {
        assertThat(seg("hello")).containsExactly(new int[] {8});
        assertThat(seg(" world")).containsExactly(new int[] {9});
        assertThat(seg("</s>")).containsExactly(new int[] {2});
    }

    @Test
    void byteTokenAndNormalTokenWithTheSameText_areBothCandidates() {
        assertThat(seg("A")).containsExactlyInAnyOrder(new int[] {3}, new int[] {4});
    }

    @Test
    void multiByteCharacter_canBeOneTokenOrSeveralByteTokens() {
        assertThat(seg("é")).containsExactlyInAnyOrder(new int[] {7}, new int[] {5, 6});
        assertThat(seg("€")).containsExactly(new int[] {10, 11});
    }

    @Test
    void emptyChunk_isAnEmptyPieceToken() {
        assertThat(seg("")).containsExactly(new int[] {0});
    }

    @Test
    void invalidBytesArriveAsReplacementCharacter_andStillMap() {
        // a lone continuation byte is not held back by the server and reaches Java as U+FFFD
        assertThat(seg("\uFFFD")).containsExactly(new int[] {6});
    }

    @Test
    void textThatNoTokenSequenceRenders_hasNoSegmentation() {
        assertThat(seg("xyz")).isEmpty();
    }

    @Test
    void serversCutSequenceCheck_matchesItsValidateUtf8() {
        assertThat(PieceIndex.endsIncomplete(new byte[] {(byte) 0xC3}, 1)).isTrue();
        assertThat(PieceIndex.endsIncomplete(new byte[] {(byte) 0xC3, (byte) 0xA9}, 2)).isFalse();
        assertThat(PieceIndex.endsIncomplete(new byte[] {(byte) 0xE2, (byte) 0x82}, 2)).isTrue();
        assertThat(PieceIndex.endsIncomplete(new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}, 3)).isTrue();
        assertThat(PieceIndex.endsIncomplete("ab".getBytes(StandardCharsets.UTF_8), 2)).isFalse();
        assertThat(PieceIndex.endsIncomplete(new byte[] {(byte) 0xA9}, 1)).isFalse();
    }
}

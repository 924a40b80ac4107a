import { constants, type association } from 'dcmjs-dimse';
import { storableTransferSyntaxes } from '../service/study-lifecycle';

const { PresentationContextResult, SopClass, TransferSyntax } = constants;

const FIND_MODELS = new Set<string>([SopClass.StudyRootQueryRetrieveInformationModelFind, '1.2.840.10008.5.1.4.1.2.1.1']);
const UNCOMPRESSED = [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian];
/** Storage SOP classes live under 1.2.840.10008.5.1.4.1.1; the rest (MWL, Q/R move ...) we do not serve. */
const STORAGE_ROOT = '1.2.840.10008.5.1.4.1.1.';

/**
 * Verification and study-root/patient-root C-FIND on uncompressed syntaxes; storage of any image
 * SOP class in any transfer syntax ingest can read (kept as received: no transcoding), preferring
 * what the caller proposed first among those.
 */
export function acceptContexts(assoc: association.Association): void {
  const storable = new Set<string>(storableTransferSyntaxes());
  for (const { id } of assoc.getPresentationContexts()) {
    const context = assoc.getPresentationContext(id);
    const abstract = context.getAbstractSyntaxUid();
    const proposed = context.getTransferSyntaxUids();
    let accepted: string | undefined;
    if (abstract === SopClass.Verification || FIND_MODELS.has(abstract)) {
      accepted = UNCOMPRESSED.find((t) => proposed.includes(t));
    } else if (abstract.startsWith(STORAGE_ROOT)) {
      accepted = proposed.find((t) => storable.has(t));
    } else {
      context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
      continue;
    }
    if (accepted) context.setResult(PresentationContextResult.Accept, accepted);
    else context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
  }
}

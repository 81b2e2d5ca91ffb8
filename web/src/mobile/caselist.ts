/** A list of cases a view keeps: loaded when shown, again after the outbox sent something. */
import { onBeforeUnmount, onMounted, ref, type Ref } from "vue";

import type { CaseLineFragment, MobileCasesQueryVariables } from "../gql/graphql";
import { MobileCases } from "./documents";
import { useSession } from "./session";

export interface CaseList {
  cases: Ref<CaseLineFragment[]>;
  loaded: Ref<boolean>;
  failed: Ref<string>;
  load: () => Promise<void>;
}

export function useCaseList(variables: MobileCasesQueryVariables): CaseList {
  const { api, outbox } = useSession();
  const cases = ref<CaseLineFragment[]>([]);
  const loaded = ref(false);
  const failed = ref("");

  async function load(): Promise<void> {
    try {
      cases.value = (await api.query(MobileCases, variables)).cases.edges.map((edge) => edge.node);
      failed.value = "";
    } catch (error) {
      failed.value = String(error instanceof Error ? error.message : error);
    } finally {
      loaded.value = true;
    }
  }

  const stop = outbox.onSent(() => void load());
  onMounted(load);
  onBeforeUnmount(stop);
  return { cases, loaded, failed, load };
}
